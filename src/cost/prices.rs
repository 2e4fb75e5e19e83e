//! The price table: AWS prices by region, loaded from JSON (the one archc
//! ships, `prices.json`, or the user's own), validated on load, then read by
//! key path so that a price archc needs and the file lacks is an error
//! naming the file and the exact key.

use serde_json::{Map, Value};
use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

/// The name the built-in table goes by in errors.
pub const BUILTIN_NAME: &str = "archc's built-in prices.json";
const BUILTIN_JSON: &str = include_str!("prices.json");

/// A price table: `as_of`, `source`, `hours_per_month`, then prices under
/// `global` (CloudFront, Route 53) and `regions.<region>` (everything else),
/// each a number of US dollars per the unit its key names (docs/cost.md).
#[derive(Clone, Debug)]
pub struct Prices {
    /// The file it was read from, for errors.
    pub file: String,
    /// When the prices were current, as the file states it.
    pub as_of: String,
    /// Where the prices come from, as the file states it.
    pub source: String,
    /// Hours in a month, the multiplier of every hourly price (730).
    pub hours_per_month: f64,
    root: Map<String, Value>,
}

/// A price table that does not load, or lacks a price archc needs: names
/// the file and the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceError {
    pub file: String,
    /// The dotted key path, when one key is at fault.
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for PriceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.message)?;
        if let Some(k) = &self.key {
            write!(f, " (key {k})")?;
        }
        Ok(())
    }
}

impl std::error::Error for PriceError {}

/// The table archc ships (src/cost/prices.json), parsed once.
pub fn builtin_prices() -> &'static Prices {
    static PRICES: OnceLock<Prices> = OnceLock::new();
    PRICES.get_or_init(|| {
        parse_prices(BUILTIN_NAME, BUILTIN_JSON).expect("the built-in price table is valid")
    })
}

/// Reads and validates a price table in the built-in table's shape.
pub fn load_prices(path: &Path) -> Result<Prices, PriceError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| PriceError {
        file: name.clone(),
        key: None,
        message: format!("cannot read the price file: {e}"),
    })?;
    parse_prices(&name, &text)
}

/// Validates a price table's text: JSON, an object with `as_of` and
/// `source` strings, a positive `hours_per_month`, and `global` and
/// `regions` objects whose every leaf is a price (a number, at least 0).
pub fn parse_prices(file: &str, text: &str) -> Result<Prices, PriceError> {
    let err = |key: Option<&str>, message: String| PriceError {
        file: file.to_string(),
        key: key.map(str::to_string),
        message,
    };
    let value: Value =
        serde_json::from_str(text).map_err(|e| err(None, format!("not valid JSON: {e}")))?;
    let Value::Object(root) = value else {
        return Err(err(
            None,
            "a price table is a JSON object (with as_of, source, hours_per_month, global and regions)".into(),
        ));
    };
    let text_field = |key: &str| match root.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(_) => Err(err(
            Some(key),
            format!("`{key}` must be a non-empty string"),
        )),
        None => Err(err(
            Some(key),
            format!("missing `{key}`: say where and when the prices were taken"),
        )),
    };
    let as_of = text_field("as_of")?;
    let source = text_field("source")?;
    let hours_per_month = match root.get("hours_per_month") {
        Some(v) if v.as_f64().is_some_and(|h| h > 0.0) => v.as_f64().unwrap_or_default(),
        Some(v) => {
            return Err(err(
                Some("hours_per_month"),
                format!("`hours_per_month` must be a number above 0, not {v}"),
            ))
        }
        None => {
            return Err(err(
                Some("hours_per_month"),
                "missing `hours_per_month` (730)".into(),
            ))
        }
    };
    for section in ["global", "regions"] {
        match root.get(section) {
            Some(Value::Object(o)) => {
                check_prices(section, o).map_err(|(k, m)| err(Some(&k), m))?
            }
            Some(_) => return Err(err(Some(section), format!("`{section}` must be an object"))),
            None => return Err(err(Some(section), format!("missing `{section}`"))),
        }
    }
    Ok(Prices {
        file: file.to_string(),
        as_of,
        source,
        hours_per_month,
        root,
    })
}

/// Every leaf under `path` is a price: a finite number, at least 0.
fn check_prices(path: &str, o: &Map<String, Value>) -> Result<(), (String, String)> {
    for (k, v) in o {
        let key = format!("{path}.{k}");
        match v {
            Value::Object(inner) => check_prices(&key, inner)?,
            Value::Number(n) if n.as_f64().is_some_and(|p| p.is_finite() && p >= 0.0) => {}
            other => {
                return Err((
                    key,
                    format!("a price is a number of US dollars, at least 0, not {other}"),
                ))
            }
        }
    }
    Ok(())
}

impl Prices {
    /// The price at `path` (`["regions", "us-east-1", "ec2", "t3.small"]`);
    /// `what` says in words what was looked for, for the error.
    pub fn price(&self, path: &[&str], what: &str) -> Result<f64, PriceError> {
        let mut node: Option<&Value> = None;
        for (i, part) in path.iter().enumerate() {
            let next = match node {
                None => self.root.get(*part),
                Some(Value::Object(o)) => o.get(*part),
                Some(_) => None,
            };
            let Some(next) = next else {
                // The first missing level says the most: a whole region, or
                // one instance type of it.
                let region = path.first() == Some(&"regions") && i == 1;
                let (message, key) = if region {
                    (
                        format!("no prices for region {part}, which the stage deploys to; add a \"{part}\" object under \"regions\""),
                        path[..=i].join("."),
                    )
                } else {
                    (format!("no price for {what}"), path.join("."))
                };
                return Err(PriceError {
                    file: self.file.clone(),
                    key: Some(key),
                    message,
                });
            };
            node = Some(next);
        }
        node.and_then(Value::as_f64).ok_or_else(|| PriceError {
            file: self.file.clone(),
            key: Some(path.join(".")),
            message: format!("no price for {what} (the key holds prices below it, not one)"),
        })
    }

    /// The regions the table prices, in its order.
    pub fn regions(&self) -> Vec<&str> {
        match self.root.get("regions") {
            Some(Value::Object(o)) => o.keys().map(String::as_str).collect(),
            _ => Vec::new(),
        }
    }
}
