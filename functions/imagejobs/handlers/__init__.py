"""Lambda entry points. Each handler module is one function in template.yaml and imports only
what that function needs: the API functions never import the image engines."""
