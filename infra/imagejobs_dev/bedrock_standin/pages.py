"""The pages each rule of the stand-in follows (read 2026-12-06; see docs/bedrock-sources.md)."""

USER_GUIDE = "https://docs.aws.amazon.com/bedrock/latest/userguide"
SD35_LARGE = f"{USER_GUIDE}/model-parameters-diffusion-3-5-large.html"
IMAGE_CORE = (
    f"{USER_GUIDE}/model-parameters-diffusion-stable-image-core-text-image-request-response.html"
)
IMAGE_ULTRA = (
    f"{USER_GUIDE}/model-parameters-diffusion-stable-ultra-text-image-request-response.html"
)
IMAGE_SERVICES = f"{USER_GUIDE}/stable-image-services.html"
UPSCALE = f"{IMAGE_SERVICES}#stable-image-services-upscale"
EDIT = f"{IMAGE_SERVICES}#stable-image-services-edit"
CONTROL = f"{IMAGE_SERVICES}#stable-image-services-control"
MODEL_CARDS = f"{USER_GUIDE}/model-cards-stability-ai.html"
INFERENCE_PROFILES = f"{USER_GUIDE}/inference-profiles-support.html"
LIFECYCLE = f"{USER_GUIDE}/model-lifecycle.html"
LIFECYCLE_LEGACY = f"{USER_GUIDE}/model-lifecycle-legacy.html"
TITAN_V2_CARD = f"{USER_GUIDE}/model-card-amazon-titan-image-generator-g1-v2.html"
GET_FOUNDATION_MODEL = (
    "https://docs.aws.amazon.com/bedrock/latest/APIReference/API_GetFoundationModel.html"
)
INVOKE_MODEL = (
    "https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html"
)

# Stability AI's own reference, where the AWS pages are silent (output sizes, Ultra's image).
STABILITY_API = "https://platform.stability.ai/docs/api-reference"
STABILITY_ULTRA = f"{STABILITY_API}#tag/Generate/paths/~1v2beta~1stable-image~1generate~1ultra/post"
STABILITY_SD3 = f"{STABILITY_API}#tag/Generate/paths/~1v2beta~1stable-image~1generate~1sd3/post"
STABILITY_EDIT = f"{STABILITY_API}#tag/Edit"
STABILITY_UPSCALE = f"{STABILITY_API}#tag/Upscale"
STABILITY_CONTROL = f"{STABILITY_API}#tag/Control"
