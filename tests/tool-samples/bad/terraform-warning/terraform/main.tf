terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

# Valid, but uses an argument deprecated in AWS provider 5.x: terraform
# validate says "valid": true with a warning, which validate-out rejects.
resource "aws_s3_bucket" "assets" {
  bucket = "tool-sample-assets"
  acl    = "private"
}
