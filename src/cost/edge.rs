//! Network, edge and operations lines: ALBs and their capacity units, the
//! NAT gateway, public IPv4 addresses, data out (CloudFront or the region's
//! internet transfer), Route 53, SQS and CloudWatch.

use super::lines::{
    money, num, plural, Item, Stage, GB, LOG_BYTES_PER_REQUEST, QUEUE_MESSAGE_BYTES,
    REQUESTS_PER_LCU_HOUR, SQS_CALLS_PER_MESSAGE,
};
use super::PriceError;
use crate::model::AWS_AZS;

const NEEDS_TRAFFIC: &str = "traffic (requests and GB out per month)";

/// ALB hours and capacity units, the NAT gateway's hours and data, public
/// IPv4 addresses.
/// Load balancer `name`'s AWS WAF web ACL (lb.tf's var.waf): the ACL and
/// its three managed rule groups by the month, its share of the requests.
fn waf(s: &mut Stage, name: &str, lbs: f64) -> Result<(), PriceError> {
    const RULE_GROUPS: u32 = 3;
    let key = ["waf", "web_acl_month"];
    let it = Item {
        item: format!("WAF {name}"),
        resource: "aws_wafv2_web_acl",
        key: &key,
        global: false,
        what: "an AWS WAF web ACL".into(),
    };
    let price = s.price(&it)?;
    s.fixed(
        it,
        1.0,
        "web-ACL-months",
        format!("1 web ACL x {}/month", money(price)),
    )?;
    let key = ["waf", "rule_month"];
    let it = Item {
        item: format!("WAF {name} rule groups"),
        resource: "aws_wafv2_web_acl",
        key: &key,
        global: false,
        what: "an AWS WAF rule".into(),
    };
    let price = s.price(&it)?;
    let formula = format!("{RULE_GROUPS} managed rule groups x {}/month", money(price));
    s.fixed(it, f64::from(RULE_GROUPS), "rule-months", formula)?;
    let key = ["waf", "million_requests"];
    let it = Item {
        item: format!("WAF {name} requests"),
        resource: "aws_wafv2_web_acl",
        key: &key,
        global: false,
        what: "a million requests AWS WAF inspects".into(),
    };
    let measured = s.usage.map(|u| {
        let requests = u.requests_per_month / lbs;
        let formula = format!("{} requests / 10^6", num(requests.round()));
        (requests / 1e6, formula)
    });
    s.usage_line(it, "million requests", measured, NEEDS_TRAFFIC)
}

/// The stage's KMS key (ops.tf), where `Model::has_stage_key` puts one.
pub(super) fn kms(s: &mut Stage) -> Result<(), PriceError> {
    if !s.m.has_stage_key() {
        return Ok(());
    }
    let key = ["kms", "key_month"];
    let it = Item {
        item: "KMS key".into(),
        resource: "aws_kms_key",
        key: &key,
        global: false,
        what: "a customer managed KMS key".into(),
    };
    let price = s.price(&it)?;
    let formula = format!(
        "1 key x {}/month (requests: the services cache data keys)",
        money(price)
    );
    s.fixed(it, 1.0, "key-months", formula)
}

pub(super) fn network(s: &mut Stage) -> Result<(), PriceError> {
    let m = s.m;
    let lbs = m.lbs.len() as f64;
    for lb in &m.lbs {
        let name = &lb.name;
        let key = ["alb", "hour"];
        let it = Item {
            item: format!("ALB {name}"),
            resource: "aws_lb",
            key: &key,
            global: false,
            what: "an Application Load Balancer hour".into(),
        };
        s.hourly(it, 1, "ALB", "hours")?;
        let key = ["alb", "lcu_hour"];
        let it = Item {
            item: format!("ALB {name} capacity units"),
            resource: "aws_lb",
            key: &key,
            global: false,
            what: "an ALB capacity unit hour".into(),
        };
        // Requests and bytes spread evenly over the stage's balancers.
        let measured = s.usage.map(|u| {
            let requests = u.requests_per_month / lbs;
            let gb = u.gb_out_per_month / lbs;
            let lcu_hours = (requests / REQUESTS_PER_LCU_HOUR).max(gb);
            let formula = format!(
                "max({} requests / {} per LCU-hour, {} GB / 1 GB per LCU-hour)",
                num(requests.round()),
                num(REQUESTS_PER_LCU_HOUR),
                num(round3(gb))
            );
            (lcu_hours, formula)
        });
        s.usage_line(it, "LCU-hours", measured, NEEDS_TRAFFIC)?;
        waf(s, name, lbs)?;
    }
    if m.aws_nat_gateway() {
        nat(s)?;
    }
    public_ipv4(s)
}

/// The NAT gateway's hours, and the data the hosts send through it: logs
/// shipped to CloudWatch and queue messages (no VPC endpoints).
fn nat(s: &mut Stage) -> Result<(), PriceError> {
    let m = s.m;
    let key = ["nat", "hour"];
    let it = Item {
        item: "NAT gateway".into(),
        resource: "aws_nat_gateway",
        key: &key,
        global: false,
        what: "a NAT gateway hour".into(),
    };
    s.hourly(it, 1, "NAT gateway", "hours")?;
    let key = ["nat", "gb"];
    let it = Item {
        item: "NAT gateway data".into(),
        resource: "aws_nat_gateway",
        key: &key,
        global: false,
        what: "NAT gateway data processing".into(),
    };
    let logs = m.logs.is_some();
    let queues = !m.queues.is_empty();
    let measured = s.usage.map(|u| {
        let log_gb = if logs {
            u.requests_per_month * LOG_BYTES_PER_REQUEST / GB
        } else {
            0.0
        };
        // A message crosses twice: sent by a web host, received by a worker.
        let queue_gb = if queues {
            2.0 * u.queue_messages_per_month * QUEUE_MESSAGE_BYTES / GB
        } else {
            0.0
        };
        let formula = format!(
            "{} GB logs + {} GB queue messages (image pulls not counted)",
            num(round3(log_gb)),
            num(round3(queue_gb))
        );
        (log_gb + queue_gb, formula)
    });
    s.usage_line(it, "GB", measured, NEEDS_TRAFFIC)
}

/// Every public IPv4 address is billed by the hour: an ALB's (one per
/// availability zone), the NAT gateway's and the single host's Elastic IP.
fn public_ipv4(s: &mut Stage) -> Result<(), PriceError> {
    let m = s.m;
    let albs = m.lbs.len() as u32 * AWS_AZS;
    let nat = u32::from(m.aws_nat_gateway());
    let hosts = m.aws_host_groups().iter().filter(|g| g.public).count() as u32;
    let count = albs + nat + hosts;
    if count == 0 {
        return Ok(());
    }
    let key = ["public_ipv4", "hour"];
    let it = Item {
        item: "Public IPv4 addresses".into(),
        resource: "aws_eip",
        key: &key,
        global: false,
        what: "a public IPv4 address hour".into(),
    };
    let price = s.price(&it)?;
    let mut parts = Vec::new();
    if albs > 0 {
        parts.push(format!("{albs} ALB"));
    }
    if nat > 0 {
        parts.push("1 NAT".to_string());
    }
    if hosts > 0 {
        parts.push(format!("{hosts} host"));
    }
    let formula = format!(
        "{} ({}) x {} h x {}/h",
        plural(count, "address"),
        parts.join(", "),
        num(s.hours),
        money(price)
    );
    s.fixed(it, f64::from(count) * s.hours, "address-hours", formula)
}

/// Data out to users: through CloudFront when the stage has a CDN (its
/// default behaviour passes every request through to the balancer, and
/// origin fetches from AWS are free), else the region's internet transfer.
/// Then the Route 53 zone.
pub(super) fn edge(s: &mut Stage) -> Result<(), PriceError> {
    let m = s.m;
    if let Some(cdn) = m.cdns.first() {
        let name = &cdn.name;
        let key = ["cloudfront", "gb_out"];
        let it = Item {
            item: format!("CloudFront {name} data out"),
            resource: "aws_cloudfront_distribution",
            key: &key,
            global: true,
            what: "CloudFront data transfer out".into(),
        };
        let measured = s.usage.map(|u| {
            let gb = u.gb_out_per_month;
            (gb, format!("{} GB out", num(round3(gb))))
        });
        s.usage_line(it, "GB", measured, NEEDS_TRAFFIC)?;
        let key = ["cloudfront", "https_10k_requests"];
        let it = Item {
            item: format!("CloudFront {name} requests"),
            resource: "aws_cloudfront_distribution",
            key: &key,
            global: true,
            what: "CloudFront HTTPS requests".into(),
        };
        let measured = s.usage.map(|u| {
            let r = u.requests_per_month;
            (
                r / 10_000.0,
                format!("{} HTTPS requests / 10,000", num(r.round())),
            )
        });
        s.usage_line(it, "10k requests", measured, NEEDS_TRAFFIC)?;
    } else if !m.webs.is_empty() {
        let key = ["data_transfer_out", "gb"];
        let it = Item {
            item: "Data transfer out".into(),
            resource: if m.lbs.is_empty() {
                "aws_instance"
            } else {
                "aws_lb"
            },
            key: &key,
            global: false,
            what: "data transfer out to the internet".into(),
        };
        let measured = s.usage.map(|u| {
            let gb = u.gb_out_per_month;
            (gb, format!("{} GB out", num(round3(gb))))
        });
        s.usage_line(it, "GB", measured, NEEDS_TRAFFIC)?;
    }
    // One zone, created with the primary region's provider; its alias
    // records to load balancers are answered free, and no health check is
    // created (alias records evaluate the target's health).
    if m.datacenters.is_some() && s.region == m.primary_datacenter() {
        let key = ["route53", "zone_month"];
        let it = Item {
            item: "Route 53 zone".into(),
            resource: "aws_route53_zone",
            key: &key,
            global: true,
            what: "a Route 53 hosted zone".into(),
        };
        let price = s.price(&it)?;
        let formula = format!(
            "1 zone x {}/month (alias queries to an ALB are free)",
            money(price)
        );
        s.fixed(it, 1.0, "zone-months", formula)?;
    }
    Ok(())
}

/// SQS requests, CloudWatch alarms, log ingestion and detailed monitoring.
pub(super) fn operations(s: &mut Stage) -> Result<(), PriceError> {
    let m = s.m;
    let queues = m.queues.len() as f64;
    for q in &m.queues {
        let key = ["sqs", "million_requests"];
        let it = Item {
            item: format!("SQS {}", q.name),
            resource: "aws_sqs_queue",
            key: &key,
            global: false,
            what: "a million SQS requests".into(),
        };
        let measured = s.usage.map(|u| {
            let messages = u.queue_messages_per_month / queues;
            let millions = messages * SQS_CALLS_PER_MESSAGE / 1e6;
            let formula = format!(
                "{} messages x {} calls (send, receive, delete) / 1,000,000",
                num(messages.round()),
                num(SQS_CALLS_PER_MESSAGE)
            );
            (millions, formula)
        });
        s.usage_line(
            it,
            "million requests",
            measured,
            "traffic (queue messages per month)",
        )?;
    }
    let groups = m.aws_host_groups();
    if m.metrics.is_some() {
        // Several data centers: the primaries' alarms are the primary region's.
        let (rds, docdb): (u32, u32) = if s.primaries {
            (
                m.rds_dbs().map(|d| d.instance_count()).sum(),
                m.docdb_stores().count() as u32,
            )
        } else {
            (
                m.rds_dbs()
                    .map(|d| d.instance_count() - d.shards.len() as u32)
                    .sum(),
                0,
            )
        };
        let count = groups.len() as u32 + rds + docdb;
        let key = ["cloudwatch", "alarm_month"];
        let it = Item {
            item: "CloudWatch alarms".into(),
            resource: "aws_cloudwatch_metric_alarm",
            key: &key,
            global: false,
            what: "a CloudWatch alarm".into(),
        };
        let price = s.price(&it)?;
        let formula = format!(
            "{} ({} host groups, {rds} RDS instances, {docdb} DocumentDB clusters) x {}/month",
            plural(count, "alarm"),
            groups.len(),
            money(price)
        );
        s.fixed(it, f64::from(count), "alarm-months", formula)?;
        let instances: u32 = groups.iter().map(|g| g.min).sum();
        let key = ["cloudwatch", "detailed_monitoring_instance_month"];
        let it = Item {
            item: "CloudWatch detailed monitoring".into(),
            resource: "aws_launch_template",
            key: &key,
            global: false,
            what: "EC2 detailed monitoring".into(),
        };
        let price = s.price(&it)?;
        let formula = format!("{} x {}/month", plural(instances, "instance"), money(price));
        s.fixed(it, f64::from(instances), "instance-months", formula)?;
    }
    if m.logs.is_some() && !groups.is_empty() {
        let key = ["cloudwatch", "logs_ingest_gb"];
        let it = Item {
            item: "CloudWatch logs ingested".into(),
            resource: "aws_cloudwatch_log_group",
            key: &key,
            global: false,
            what: "CloudWatch Logs ingestion".into(),
        };
        let measured = s.usage.map(|u| {
            let gb = u.requests_per_month * LOG_BYTES_PER_REQUEST / GB;
            let formula = format!(
                "{} requests x {} bytes / 10^9",
                num(u.requests_per_month.round()),
                num(LOG_BYTES_PER_REQUEST)
            );
            (gb, formula)
        });
        s.usage_line(it, "GB", measured, NEEDS_TRAFFIC)?;
    }
    Ok(())
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
