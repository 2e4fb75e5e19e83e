//! Price tables that do not load, prices that are missing, and lines that
//! follow the model.

use super::*;
use crate::model::SizeClass;

fn compile(text: &str) -> crate::model::Design {
    let c = crate::compile("t.arch", text);
    assert!(!c.has_errors(), "{:#?}", c.diagnostics);
    c.design
}

fn err(text: &str) -> String {
    parse_prices("p.json", text).unwrap_err().to_string()
}

const HEAD: &str = r#""as_of": "2025-01-01", "source": "test", "hours_per_month": 730"#;

#[test]
fn invalid_json_names_the_file() {
    let e = err("{ not json");
    assert!(e.starts_with("p.json: not valid JSON"), "{e}");
}

#[test]
fn wrong_shapes_name_the_key() {
    assert!(err("[1]").contains("a JSON object"));
    let e = err(r#"{"source": "x", "hours_per_month": 730, "global": {}, "regions": {}}"#);
    assert!(
        e.contains("missing `as_of`") && e.ends_with("(key as_of)"),
        "{e}"
    );
    let e = err(&format!(r#"{{{HEAD}, "global": {{}}, "regions": []}}"#));
    assert!(e.contains("`regions` must be an object"), "{e}");
    let e = err(&format!(
        r#"{{{HEAD}, "global": {{}}, "regions": {{"us-east-1": {{"ec2": {{"t3.small": "cheap"}}}}}}}}"#
    ));
    assert!(
        e.contains("not \"cheap\"") && e.ends_with("(key regions.us-east-1.ec2.t3.small)"),
        "{e}"
    );
    let e = err(&format!(
        r#"{{{HEAD}, "global": {{}}, "regions": {{"us-east-1": {{"nat": {{"hour": -1}}}}}}}}"#
    ));
    assert!(
        e.contains("at least 0") && e.ends_with("(key regions.us-east-1.nat.hour)"),
        "{e}"
    );
    let e =
        err(r#"{"as_of": "x", "source": "y", "hours_per_month": 0, "global": {}, "regions": {}}"#);
    assert!(e.contains("hours_per_month"), "{e}");
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let e = load_prices(std::path::Path::new("/nonexistent/prices.json")).unwrap_err();
    assert_eq!(e.file, "/nonexistent/prices.json");
    assert!(e.to_string().contains("cannot read"), "{e}");
}

#[test]
fn a_missing_price_names_the_key() {
    let d = compile("region eu-west-3\nweb x2 behind lb\ndb postgres size large\n");
    let mut table: serde_json::Value = serde_json::from_str(include_str!("prices.json")).unwrap();
    let rds = &mut table["regions"]["eu-west-3"]["rds"]["postgres"];
    rds.as_object_mut().unwrap().remove("db.m6i.large");
    let p = parse_prices("prices.json", &table.to_string()).unwrap();
    let e = monthly_cost(d.last(), &p, None).unwrap_err().to_string();
    assert_eq!(
        e,
        "prices.json: no price for aws_db_instance db.m6i.large (postgres) in eu-west-3 \
         (key regions.eu-west-3.rds.postgres.db.m6i.large)"
    );
    table["regions"]
        .as_object_mut()
        .unwrap()
        .remove("eu-west-3");
    let p = parse_prices("prices.json", &table.to_string()).unwrap();
    let e = monthly_cost(d.last(), &p, None).unwrap_err().to_string();
    assert!(
        e.contains("no prices for region eu-west-3") && e.ends_with("(key regions.eu-west-3)"),
        "{e}"
    );
}

#[test]
fn the_builtin_table_prices_every_size_in_every_region() {
    let p = builtin_prices();
    assert!(p.regions().len() >= 17);
    for region in p.regions() {
        for size in [
            SizeClass::Small,
            SizeClass::Medium,
            SizeClass::Large,
            SizeClass::Xlarge,
        ] {
            let r = size.resources();
            for (path, what) in [
                (vec!["regions", region, "ec2", &r.ec2_type], "ec2"),
                (
                    vec!["regions", region, "rds", "postgres", &r.rds_class],
                    "rds",
                ),
                (vec!["regions", region, "rds", "mysql", &r.rds_class], "rds"),
                (
                    vec!["regions", region, "elasticache", &r.cache_node],
                    "cache",
                ),
            ] {
                p.price(&path, what).unwrap();
            }
        }
    }
}

#[test]
fn usage_lines_wait_for_usage() {
    let d =
        compile("web x3 behind lb\nlb nginx\ndb postgres\nqueue jobs\nworker w consumes jobs\n");
    let lines = monthly_cost(d.last(), builtin_prices(), None).unwrap();
    let web = lines.iter().find(|l| l.item == "EC2 web").unwrap();
    assert_eq!(web.formula, "3 x t3.small x 730 h x $0.0208/h");
    assert_eq!(web.monthly_usd, Some(45.55));
    let sqs = lines.iter().find(|l| l.item == "SQS jobs").unwrap();
    assert_eq!(sqs.monthly_usd, None);
    assert!(sqs.formula.starts_with("not estimated"), "{}", sqs.formula);
    let usage = Usage {
        requests_per_month: 9_000_000.0,
        gb_out_per_month: 500.0,
        queue_messages_per_month: 1_000_000.0,
    };
    let lines = monthly_cost(d.last(), builtin_prices(), Some(&usage)).unwrap();
    let sqs = lines.iter().find(|l| l.item == "SQS jobs").unwrap();
    assert_eq!(sqs.monthly_usd, Some(1.2));
    let lcu = lines
        .iter()
        .find(|l| l.item == "ALB lb capacity units")
        .unwrap();
    // 9,000,000 / 90,000 = 100 LCU-hours from connections; 500 from bytes.
    assert_eq!(lcu.quantity, 500.0);
    assert_eq!(lcu.monthly_usd, Some(4.0));
    let out = lines
        .iter()
        .find(|l| l.item == "Data transfer out")
        .unwrap();
    assert_eq!(out.monthly_usd, Some(45.0));
}

#[test]
fn data_centers_deploy_the_stage_in_each_region() {
    let d = compile("datacenters us-east-1, eu-west-1 via geodns\nweb x2 behind lb\n");
    let lines = monthly_cost(d.last(), builtin_prices(), None).unwrap();
    let webs: Vec<_> = lines
        .iter()
        .filter(|l| l.item.starts_with("EC2 web"))
        .collect();
    assert_eq!(webs.len(), 2);
    assert_eq!(webs[1].item, "EC2 web (eu-west-1)");
    assert_eq!(webs[1].unit_price_usd, 0.0228);
    let zones = lines
        .iter()
        .filter(|l| l.item.starts_with("Route 53 zone"))
        .count();
    assert_eq!(zones, 1, "only the home region's deployment owns the zone");
}

#[test]
fn named_defaults_say_the_table_and_the_assumptions() {
    let d = named_defaults(builtin_prices());
    assert!(
        d[0].contains("2025-01-01") && d[0].contains(BUILTIN_NAME),
        "{}",
        d[0]
    );
    assert!(d.iter().any(|l| l == "730 hours a month"), "{d:?}");
    assert!(d.iter().any(|l| l.contains("200 bytes of log")), "{d:?}");
}

#[test]
fn failover_sends_all_usage_to_the_primary() {
    let d = compile("region eu-west-1\ndatacenters us-east-1, eu-west-1\nweb x2 behind lb\n");
    let usage = Usage {
        requests_per_month: 1_000_000.0,
        gb_out_per_month: 100.0,
        queue_messages_per_month: 0.0,
    };
    let lines = monthly_cost(d.last(), builtin_prices(), Some(&usage)).unwrap();
    let out = |region: &str| {
        lines
            .iter()
            .find(|l| l.item == format!("Data transfer out ({region})"))
            .unwrap()
            .quantity
    };
    assert_eq!(out("eu-west-1"), 100.0, "the home region is the primary");
    assert_eq!(out("us-east-1"), 0.0);
    let zone = lines
        .iter()
        .find(|l| l.item.starts_with("Route 53"))
        .unwrap();
    assert_eq!(zone.item, "Route 53 zone (eu-west-1)");
}
