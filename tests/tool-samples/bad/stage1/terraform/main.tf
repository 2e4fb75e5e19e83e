terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

resource "aws_vpc" "main" {
  cidr_blok            = "10.0.0.0/16"
  enable_dns_hostnames = true

  tags = {
    Name = "tool-sample"
  }
}

output "vpc_id" {
  value = aws_vpc.main.id
}
