# Hand-written probe (not archc output): the multi-region shapes of issue 13's
# design (docs/validation.md), so scripts/apply-moto proves moto and its fixes
# handle them before archc emits them:
#   one provider per region (the default = the primary, aliases for the
#   others), a module per region, a cross-region RDS read replica by ARN
#   (encrypted, kms_key_id from alias/aws/rds), a DynamoDB global table
#   (replica block), VPC peering across regions with routes both ways,
#   ACM certificates per region validated in one Route 53 zone, and
#   failover + geolocation alias records on the regions' load balancers.
#   scripts/apply-moto probe/multi-region
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
  region = "us-east-1"
  default_tags {
    tags = { probe = "multi-region" }
  }
}

provider "aws" {
  alias  = "eu_west_1"
  region = "eu-west-1"
  default_tags {
    tags = { probe = "multi-region" }
  }
}

variable "domain" {
  type    = string
  default = "probe.test"
}

variable "skip_final_snapshot" {
  type    = bool
  default = false
}

resource "aws_route53_zone" "main" {
  name = var.domain
}

module "us_east_1" {
  source              = "./region"
  providers           = { aws = aws }
  name                = "probe-use1"
  primary             = true
  vpc_cidr            = "10.0.0.0/16"
  zone_id             = aws_route53_zone.main.zone_id
  domain              = var.domain
  skip_final_snapshot = var.skip_final_snapshot
  replica_regions     = ["eu-west-1"]
}

module "eu_west_1" {
  source              = "./region"
  providers           = { aws = aws.eu_west_1 }
  name                = "probe-euw1"
  primary             = false
  vpc_cidr            = "10.1.0.0/16"
  zone_id             = aws_route53_zone.main.zone_id
  domain              = var.domain
  skip_final_snapshot = var.skip_final_snapshot
  source_db_arn       = module.us_east_1.db_arn
}

# Peering: requested from the primary, accepted in the other region.
resource "aws_vpc_peering_connection" "eu_west_1" {
  vpc_id      = module.us_east_1.vpc_id
  peer_vpc_id = module.eu_west_1.vpc_id
  peer_region = "eu-west-1"
  auto_accept = false
}

resource "aws_vpc_peering_connection_accepter" "eu_west_1" {
  provider                  = aws.eu_west_1
  vpc_peering_connection_id = aws_vpc_peering_connection.eu_west_1.id
  auto_accept               = true
}

resource "aws_route" "to_eu_west_1" {
  route_table_id            = module.us_east_1.route_table_id
  destination_cidr_block    = module.eu_west_1.vpc_cidr
  vpc_peering_connection_id = aws_vpc_peering_connection.eu_west_1.id
}

resource "aws_route" "from_eu_west_1" {
  provider                  = aws.eu_west_1
  route_table_id            = module.eu_west_1.route_table_id
  destination_cidr_block    = module.us_east_1.vpc_cidr
  vpc_peering_connection_id = aws_vpc_peering_connection_accepter.eu_west_1.id
}

# Failover pair (health-evaluated aliases on the regions' balancers).
resource "aws_route53_record" "primary" {
  zone_id        = aws_route53_zone.main.zone_id
  name           = var.domain
  type           = "A"
  set_identifier = "us-east-1"
  failover_routing_policy {
    type = "PRIMARY"
  }
  alias {
    name                   = module.us_east_1.lb_dns_name
    zone_id                = module.us_east_1.lb_zone_id
    evaluate_target_health = true
  }
}

resource "aws_route53_record" "secondary" {
  zone_id        = aws_route53_zone.main.zone_id
  name           = var.domain
  type           = "A"
  set_identifier = "eu-west-1"
  failover_routing_policy {
    type = "SECONDARY"
  }
  alias {
    name                   = module.eu_west_1.lb_dns_name
    zone_id                = module.eu_west_1.lb_zone_id
    evaluate_target_health = true
  }
}

# Geolocation records (via geodns) aliasing a per-continent failover pair.
resource "aws_route53_record" "eu_primary" {
  zone_id        = aws_route53_zone.main.zone_id
  name           = "eu.${var.domain}"
  type           = "A"
  set_identifier = "eu-primary"
  failover_routing_policy {
    type = "PRIMARY"
  }
  alias {
    name                   = module.eu_west_1.lb_dns_name
    zone_id                = module.eu_west_1.lb_zone_id
    evaluate_target_health = true
  }
}

resource "aws_route53_record" "eu_secondary" {
  zone_id        = aws_route53_zone.main.zone_id
  name           = "eu.${var.domain}"
  type           = "A"
  set_identifier = "eu-secondary"
  failover_routing_policy {
    type = "SECONDARY"
  }
  alias {
    name                   = module.us_east_1.lb_dns_name
    zone_id                = module.us_east_1.lb_zone_id
    evaluate_target_health = true
  }
}

resource "aws_route53_record" "geo_eu" {
  zone_id        = aws_route53_zone.main.zone_id
  name           = "www.${var.domain}"
  type           = "A"
  set_identifier = "EU"
  geolocation_routing_policy {
    continent = "EU"
  }
  alias {
    name                   = aws_route53_record.eu_primary.fqdn
    zone_id                = aws_route53_zone.main.zone_id
    evaluate_target_health = true
  }
}

resource "aws_route53_record" "geo_default" {
  zone_id        = aws_route53_zone.main.zone_id
  name           = "www.${var.domain}"
  type           = "A"
  set_identifier = "default"
  geolocation_routing_policy {
    country = "*"
  }
  alias {
    name                   = aws_route53_record.primary.fqdn
    zone_id                = aws_route53_zone.main.zone_id
    evaluate_target_health = true
  }
}

output "replica_source" {
  value = module.eu_west_1.db_source
}
