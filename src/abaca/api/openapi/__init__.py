"""The OpenAPI document of the API, built from the live route table."""
