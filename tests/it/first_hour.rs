//! What a new user stumbles on in the first hour (issue 16, part 6): each
//! test is one stumble, written as the user wrote it.

use crate::common;
use archc::diag::Diagnostic;
use archc::emit::{self, Target};

fn compile(text: &str) -> archc::Compiled {
    archc::compile("first.arch", text)
}

fn codes(c: &archc::Compiled) -> Vec<&'static str> {
    c.diagnostics.iter().map(|d| d.code).collect()
}

fn only<'c>(c: &'c archc::Compiled, code: &str) -> Vec<&'c Diagnostic> {
    c.diagnostics.iter().filter(|d| d.code == code).collect()
}

fn terraform(text: &str, stage: usize) -> String {
    let c = compile(text);
    assert!(!c.has_errors(), "{:?}", c.diagnostics);
    emit::emit(
        Target::Terraform,
        &c.design.stages[stage],
        &emit::Options::default(),
    )
    .unwrap()
    .into_iter()
    .map(|f| f.contents)
    .collect::<Vec<_>>()
    .join("\n")
}

// a. A component named like a keyword, where a name is expected.

#[test]
fn a_session_store_named_sessions_can_be_referenced() {
    let c = compile(
        "web x2 behind lb sessions in cache sessions\ncache sessions redis x2 ttl 30m evict lru\n",
    );
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let web = &c.design.last().webs[0];
    assert_eq!(web.sessions.as_ref().unwrap().name, "sessions");
    // An lb named like a web clause word, too.
    let c = compile("lb port\nweb x2 behind lb port\n");
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert_eq!(c.design.last().webs[0].lb.as_deref(), Some("port"));
    // A whole clause after the store is still a clause.
    let c = compile("web x2 behind lb sessions in cache port 9000\ncache x2 ttl 1m evict lru\n");
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert_eq!(c.design.last().webs[0].port, 9000);
}

#[test]
fn a_clause_word_without_its_value_after_a_reference_gets_both_readings() {
    let c = compile("web x2 behind lb sessions in cache port\ncache x2 ttl 1m evict lru\n");
    assert_eq!(codes(&c), ["E0106"]);
    let help = c.diagnostics[0].help.as_deref().unwrap();
    assert!(help.contains("declare `cache port`"), "{help}");
    assert!(help.contains("`sessions in cache port 8080`"), "{help}");
    let c = compile("web x3 behind lb size\n");
    assert_eq!(codes(&c), ["E0104"]);
    assert!(
        c.diagnostics[0]
            .help
            .as_deref()
            .unwrap()
            .contains("`behind lb size medium`"),
        "{:?}",
        c.diagnostics[0]
    );
}

// b. A re-declared component silently dropping what it does not repeat.

#[test]
fn a_replacement_that_loses_a_setting_is_warned_about_with_the_earlier_place() {
    let text = "web x1\ndb postgres storage 100gb\nstage big {\n  db postgres with 2 replicas\n}\n";
    let c = compile(text);
    let lost = only(&c, "W0309");
    assert_eq!(lost.len(), 1, "{:?}", c.diagnostics);
    let d = lost[0];
    assert!(d.message.contains("`storage 100gb`"), "{}", d.message);
    assert!(d.message.contains("20 GB"), "{}", d.message);
    assert_eq!(&text[d.span.range()], "db postgres with 2 replicas");
    assert_eq!(d.labels.len(), 1);
    assert_eq!(&text[d.labels[0].span.range()], "storage 100gb");
    assert!(d.labels[0].message.contains("line 2"), "{:?}", d.labels);
    assert_eq!(d.stages, ["big"]);
    assert!(d
        .help
        .as_deref()
        .unwrap()
        .contains("repeat `storage 100gb`"));
    // Repeating the clause keeps it, and says nothing.
    let c = compile(
        "web x1\ndb postgres storage 100gb\nstage big {\n  db postgres with 2 replicas storage 100gb\n}\n",
    );
    assert!(only(&c, "W0309").is_empty(), "{:?}", c.diagnostics);
    assert_eq!(c.design.last().dbs[0].storage_gb, 100);
}

#[test]
fn losing_a_flag_a_default_or_a_count_replaced_by_autoscale_is_not_warned_about() {
    let c = compile(concat!(
        "web x2 behind lb port 8080\nlb sticky\n",
        "db postgres colocated storage 20gb\ncdn for /s ttl 1d versioned\n",
        "stage next {\n",
        "  web autoscale 2..4 behind lb\n  lb\n  db postgres\n  cdn for /s ttl 1d\n",
        "}\n",
    ));
    assert!(only(&c, "W0309").is_empty(), "{:?}", c.diagnostics);
}

// c. Storage below what RDS allocates.

#[test]
fn storage_below_the_rds_minimum_is_said_in_check_and_in_the_terraform_file() {
    let text = "web x1\ndb postgres with 1 replica storage 10gb\n";
    let c = compile(text);
    let small = only(&c, "W0310");
    assert_eq!(small.len(), 1, "{:?}", c.diagnostics);
    assert_eq!(&text[small[0].span.range()], "storage 10gb");
    assert!(small[0].message.contains("20 GB"), "{}", small[0].message);
    let tf = terraform(text, 0);
    let line = tf
        .lines()
        .find(|l| l.trim_start().starts_with("allocated_storage"))
        .unwrap();
    assert!(line.contains("= 20 #"), "{line}");
    assert!(
        line.contains("10 GB") && line.contains("at least 20 GB"),
        "{line}"
    );
    // Enough storage, or a database on the web host: nothing to say.
    for ok in [
        "web x1\ndb postgres with 1 replica storage 20gb\n",
        "web x1\ndb postgres with 1 replica colocated storage 5gb\n",
    ] {
        assert!(only(&compile(ok), "W0310").is_empty(), "{ok}");
    }
    assert!(
        !terraform("web x1\ndb postgres with 1 replica storage 30gb\n", 0)
            .contains("RDS allocates")
    );
}

// d. Several data centers without `via geodns`.

const TWO_DCS: &str =
    "web x2 behind lb\ndb with 2 replicas\ndatacenters us-east-1, eu-west-1, ap-northeast-1\n";

#[test]
fn data_centers_without_geodns_get_failover_routing_not_geolocation() {
    let tf = terraform(TWO_DCS, 0);
    assert!(!tf.contains("geolocation_routing_policy"), "{tf}");
    let failover: Vec<&str> = tf
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("type = \"PRIMARY\"") || l.starts_with("type = \"SECONDARY\""))
        .collect();
    assert_eq!(failover, ["type = \"PRIMARY\"", "type = \"SECONDARY\""]);
    // The primary is the home region; the third data center is standby.
    let primary = tf
        .split("resource \"aws_route53_record\" \"primary\"")
        .nth(1)
        .unwrap();
    assert!(
        primary.contains("module.us_east_1.balancer_dns_name"),
        "{primary}"
    );
    assert!(tf.contains("# ap-northeast-1: standby"), "{tf}");
    // With geodns, geolocation records, each to a failover pair.
    let geo = terraform(
        &TWO_DCS.replace("ap-northeast-1", "ap-northeast-1 via geodns"),
        0,
    );
    assert!(geo.contains("geolocation_routing_policy"), "{geo}");
    assert!(
        geo.contains("name                   = aws_route53_record.us_east_1_primary.fqdn"),
        "{geo}"
    );
}

#[test]
fn failover_records_pass_terraform_validate() {
    let c = compile(TWO_DCS);
    let tmp = common::visible_tempdir();
    common::write_stage(
        &c.design.stages[0],
        Target::Terraform,
        &tmp.path().join("terraform"),
    );
    let (ok, out) = common::validate_out(tmp.path());
    assert!(ok, "{out}");
}

// e. An unknown kind.

#[test]
fn a_misspelled_long_name_of_a_kind_suggests_the_kind() {
    for (text, kind) in [
        ("databse main\n", "db"),
        ("database postgres\n", "db"),
        ("load-balancer nginx\n", "lb"),
        ("stage s {\n  drop databse\n}\n", "db"),
    ] {
        let c = compile(text);
        let d = c.diagnostics.iter().find(|d| d.code == "E0002").unwrap();
        let help = d.help.as_deref().unwrap();
        assert!(
            help.starts_with(&format!("did you mean `{kind}`?")),
            "{text}: {help}"
        );
    }
}

/// A control character or a Unicode line separator in an `image` (or an
/// `env` value) is E0213 on the string, never written raw into HCL or YAML.
#[test]
fn an_image_or_env_value_with_a_control_character_is_e0213() {
    for bad in ["\u{0}", "\u{1b}[31m", "\u{2028}", "\u{2029}", "\u{7f}"] {
        let src = format!("web x2 behind lb image \"app{bad}:1\"\n");
        let c = compile(&src);
        let found = only(&c, "E0213");
        assert_eq!(found.len(), 1, "{bad:?}: {:?}", c.diagnostics);
        let start = src.find('"').unwrap();
        assert_eq!(
            found[0].span.start as usize, start,
            "{bad:?}: points at the string"
        );
        let src = format!("web x2 behind lb env MODE=\"a{bad}b\"\n");
        assert_eq!(only(&compile(&src), "E0213").len(), 1, "env {bad:?}");
    }
    let c = compile("web x2 behind lb image \"registry.example.com/app:1.0\"\n");
    assert!(only(&c, "E0213").is_empty(), "{:?}", c.diagnostics);
}
