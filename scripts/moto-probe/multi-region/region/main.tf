# One region of the probe (see ../main.tf): network, balancer with an ACM
# certificate, and the database (primary, or a cross-region read replica).
terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

variable "name" { type = string }
variable "primary" { type = bool }
variable "vpc_cidr" { type = string }
variable "zone_id" { type = string }
variable "domain" { type = string }
variable "skip_final_snapshot" { type = bool }
variable "source_db_arn" {
  type    = string
  default = null
}
variable "replica_regions" {
  type    = list(string)
  default = []
}

data "aws_region" "current" {}
data "aws_availability_zones" "available" {
  state = "available"
}

resource "aws_vpc" "main" {
  cidr_block = var.vpc_cidr
}

resource "aws_subnet" "public" {
  count             = 2
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, count.index)
  availability_zone = data.aws_availability_zones.available.names[count.index]
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
}

resource "aws_route_table" "main" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }
}

resource "aws_route_table_association" "public" {
  count          = 2
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.main.id
}

resource "aws_security_group" "db" {
  name   = "${var.name}-db"
  vpc_id = aws_vpc.main.id
}

resource "aws_vpc_security_group_ingress_rule" "db_from_peers" {
  security_group_id = aws_security_group.db.id
  cidr_ipv4         = "10.0.0.0/8"
  ip_protocol       = "tcp"
  from_port         = 5432
  to_port           = 5432
}

resource "aws_lb" "main" {
  name               = var.name
  load_balancer_type = "application"
  subnets            = aws_subnet.public[*].id
}

resource "aws_acm_certificate" "main" {
  domain_name       = "${data.aws_region.current.name}.${var.domain}"
  validation_method = "DNS"
}

resource "aws_route53_record" "cert" {
  for_each = {
    for o in aws_acm_certificate.main.domain_validation_options : o.domain_name => o
  }
  zone_id         = var.zone_id
  name            = each.value.resource_record_name
  type            = each.value.resource_record_type
  records         = [each.value.resource_record_value]
  ttl             = 60
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "main" {
  certificate_arn         = aws_acm_certificate.main.arn
  validation_record_fqdns = [for r in aws_route53_record.cert : r.fqdn]
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.main.arn
  port              = 443
  protocol          = "HTTPS"
  certificate_arn   = aws_acm_certificate_validation.main.certificate_arn
  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      status_code  = "200"
    }
  }
}

resource "aws_db_subnet_group" "main" {
  name       = "${var.name}-db"
  subnet_ids = aws_subnet.public[*].id
}

# The region's own key for RDS: a replica of an encrypted primary in another
# region must name a key of its own region.
data "aws_kms_alias" "rds" {
  name = "alias/aws/rds"
}

resource "aws_db_instance" "primary" {
  count                       = var.primary ? 1 : 0
  identifier                  = "${var.name}-db"
  engine                      = "postgres"
  engine_version              = "16"
  instance_class              = "db.t3.micro"
  allocated_storage           = 20
  storage_encrypted           = true
  username                    = "app"
  manage_master_user_password = true
  db_subnet_group_name        = aws_db_subnet_group.main.name
  vpc_security_group_ids      = [aws_security_group.db.id]
  backup_retention_period     = 7
  skip_final_snapshot         = var.skip_final_snapshot
  final_snapshot_identifier   = "${var.name}-db-final"
}

resource "aws_db_instance" "replica" {
  count                  = var.primary ? 0 : 1
  identifier             = "${var.name}-db-replica"
  replicate_source_db    = var.source_db_arn
  instance_class         = "db.t3.micro"
  storage_encrypted      = true
  kms_key_id             = data.aws_kms_alias.rds.target_key_arn
  db_subnet_group_name   = aws_db_subnet_group.main.name
  vpc_security_group_ids = [aws_security_group.db.id]
  skip_final_snapshot    = true
}

# DynamoDB global table (version 2019.11.21): the primary region's table with
# a replica in every other region.
resource "aws_dynamodb_table" "sessions" {
  count            = var.primary ? 1 : 0
  name             = "${var.name}-sessions"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "id"
  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"
  attribute {
    name = "id"
    type = "S"
  }
  point_in_time_recovery {
    enabled = true
  }
  server_side_encryption {
    enabled = true
  }
  dynamic "replica" {
    for_each = var.replica_regions
    content {
      region_name = replica.value
    }
  }
}

output "vpc_id" { value = aws_vpc.main.id }
output "vpc_cidr" { value = aws_vpc.main.cidr_block }
output "route_table_id" { value = aws_route_table.main.id }
output "lb_dns_name" { value = aws_lb.main.dns_name }
output "lb_zone_id" { value = aws_lb.main.zone_id }
output "db_arn" {
  value = var.primary ? aws_db_instance.primary[0].arn : aws_db_instance.replica[0].arn
}
output "db_source" {
  value = var.primary ? null : aws_db_instance.replica[0].replicate_source_db
}
