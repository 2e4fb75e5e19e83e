//! The per-component assumptions of the availability estimate: each a named
//! probability that one thing is up, with a default and why, settable with
//! `archc analyze --assume KEY=PERCENT`. docs/analysis.md gives the reasoning
//! at length; the `why` here is what `analyze` prints.

use serde::Serialize;

/// One assumption: its key on the command line, the letter the printed
/// formulas use for it, its default and what it stands for.
pub struct Key {
    pub key: &'static str,
    pub letter: &'static str,
    pub default: f64,
    pub why: &'static str,
}

pub const INSTANCE: &str = "instance";
pub const MANAGED_LB: &str = "managed-lb";
pub const DATACENTER: &str = "datacenter";
pub const HOST: &str = "host";
pub const MULTI_AZ: &str = "multi-az";

pub static KEYS: &[Key] = &[
    Key {
        key: INSTANCE,
        letter: "a",
        default: 0.995,
        why: "one running copy of a tier: an EC2 or RDS instance, a container, a pod (AWS's single-instance SLA for EC2 and single-AZ RDS)",
    },
    Key {
        key: MANAGED_LB,
        letter: "m",
        default: 0.9999,
        why: "a balancer the platform runs across zones: an AWS ALB (the Elastic Load Balancing SLA), a cluster's ingress controller",
    },
    Key {
        key: DATACENTER,
        letter: "d",
        default: 0.999,
        why: "a whole data center: an AWS region, or the site of a Kubernetes cluster (about 9 hours of outage a year)",
    },
    Key {
        key: MULTI_AZ,
        letter: "z",
        default: 0.9995,
        why: "a database primary with a synchronous standby in another zone that RDS fails over to by itself: RDS Multi-AZ (its SLA), the Terraform's default (var.rds_multi_az)",
    },
    Key {
        key: HOST,
        letter: "h",
        default: 0.995,
        why: "the one Docker host compose runs every container on, with the room it stands in",
    },
];

fn key(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.key == name)
}

/// The values in force: the defaults, then each `--assume` in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Assumptions {
    values: Vec<(&'static str, f64)>,
}

impl Default for Assumptions {
    fn default() -> Self {
        Assumptions {
            values: KEYS.iter().map(|k| (k.key, k.default)).collect(),
        }
    }
}

impl Assumptions {
    /// Assumptions with `overrides` (keys already checked by [`parse`]).
    pub fn with(overrides: &[(String, f64)]) -> Self {
        let mut a = Assumptions::default();
        for (k, v) in overrides {
            if let Some(slot) = a.values.iter_mut().find(|(name, _)| name == k) {
                slot.1 = *v;
            }
        }
        a
    }

    /// The probability for `key`, one of this module's constants.
    pub fn get(&self, key: &str) -> f64 {
        self.values
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("no assumption `{key}`"))
    }

    /// The assumptions a target's estimate uses, as printed and serialised.
    pub fn used(&self, keys: &[&str]) -> Vec<Used> {
        keys.iter()
            .filter_map(|k| key(k))
            .map(|k| Used {
                key: k.key,
                letter: k.letter,
                value: self.get(k.key),
                why: k.why,
            })
            .collect()
    }
}

/// An assumption as the report states it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Used {
    pub key: &'static str,
    /// The letter the formulas use.
    pub letter: &'static str,
    pub value: f64,
    pub why: &'static str,
}

/// The letter of `key` in printed formulas.
pub fn letter(key_name: &str) -> &'static str {
    key(key_name).map_or("?", |k| k.letter)
}

/// `KEY=PERCENT`, as `--assume` takes it: a known key and a percentage
/// strictly between 0 and 100 (`99.5` or `99.5%`).
pub fn parse(s: &str) -> Result<(String, f64), String> {
    let keys = || {
        KEYS.iter()
            .map(|k| format!("{} (default {})", k.key, percent_text(k.default)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some((k, v)) = s.split_once('=') else {
        return Err(format!(
            "write KEY=PERCENT, e.g. instance=99.9; the keys are {}",
            keys()
        ));
    };
    let k = k.trim();
    if key(k).is_none() {
        return Err(format!("unknown key `{k}`; the keys are {}", keys()));
    }
    Ok((k.to_string(), parse_percent(v)?))
}

/// A percentage strictly between 0 and 100, as a probability.
pub fn parse_percent(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("`{s}` is not a number"))?;
    if v > 0.0 && v < 100.0 {
        Ok(v / 100.0)
    } else {
        Err("give a percentage between 0 and 100, e.g. 99.5".into())
    }
}

/// `99.5%`, `99.99%`: a probability as the shortest percentage that says it.
pub fn percent_text(p: f64) -> String {
    let s = format!("{:.6}", p * 100.0);
    format!("{}%", s.trim_end_matches('0').trim_end_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_keys_and_refuses_others_naming_them() {
        let (k, v) = parse("instance=99.9").unwrap();
        assert_eq!(k, "instance");
        assert!((v - 0.999).abs() < 1e-12);
        assert!((parse("datacenter=99.95%").unwrap().1 - 0.9995).abs() < 1e-12);
        let e = parse("server=99").unwrap_err();
        assert!(e.contains("unknown key `server`"), "{e}");
        for k in KEYS {
            assert!(e.contains(k.key), "{e}");
        }
        assert!(parse("instance=100").is_err());
        assert!(parse("instance").is_err());
    }

    #[test]
    fn overrides_replace_only_their_key() {
        let a = Assumptions::with(&[("datacenter".into(), 0.99)]);
        assert_eq!(a.get(DATACENTER), 0.99);
        assert_eq!(a.get(INSTANCE), 0.995);
    }
}
