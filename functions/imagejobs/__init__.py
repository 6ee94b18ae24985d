"""Image generation job service: one package for every function of template.yaml."""
