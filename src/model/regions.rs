//! The AWS regions a design may name (`region`, `datacenters`), each with the
//! Route 53 continent its users are on. One table, read by the resolver (E0214:
//! a name that is not a region) and by the Terraform emitter (the geolocation
//! record of each data center), so the two cannot disagree.
//!
//! Only the commercial partition: the generated Terraform writes `arn:aws:`
//! ARNs, which GovCloud (`us-gov-*`, `arn:aws-us-gov:`) and China (`cn-*`,
//! `arn:aws-cn:`) do not accept.

/// A Route 53 geolocation continent code (`AF AN AS EU NA OC SA`: Route 53
/// has no separate Middle East code, those regions are on `AS`).
pub type Continent = &'static str;

/// Every commercial AWS region, sorted by name, with its continent.
pub static AWS_REGIONS: &[(&str, Continent)] = &[
    ("af-south-1", "AF"),     // Cape Town
    ("ap-east-1", "AS"),      // Hong Kong
    ("ap-east-2", "AS"),      // Taipei
    ("ap-northeast-1", "AS"), // Tokyo
    ("ap-northeast-2", "AS"), // Seoul
    ("ap-northeast-3", "AS"), // Osaka
    ("ap-south-1", "AS"),     // Mumbai
    ("ap-south-2", "AS"),     // Hyderabad
    ("ap-southeast-1", "AS"), // Singapore
    ("ap-southeast-2", "OC"), // Sydney
    ("ap-southeast-3", "AS"), // Jakarta
    ("ap-southeast-4", "OC"), // Melbourne
    ("ap-southeast-5", "AS"), // Malaysia
    ("ap-southeast-6", "OC"), // New Zealand
    ("ap-southeast-7", "AS"), // Thailand
    ("ca-central-1", "NA"),   // Canada Central
    ("ca-west-1", "NA"),      // Calgary
    ("eu-central-1", "EU"),   // Frankfurt
    ("eu-central-2", "EU"),   // Zurich
    ("eu-north-1", "EU"),     // Stockholm
    ("eu-south-1", "EU"),     // Milan
    ("eu-south-2", "EU"),     // Spain
    ("eu-west-1", "EU"),      // Ireland
    ("eu-west-2", "EU"),      // London
    ("eu-west-3", "EU"),      // Paris
    ("il-central-1", "AS"),   // Tel Aviv
    ("me-central-1", "AS"),   // UAE
    ("me-south-1", "AS"),     // Bahrain
    ("mx-central-1", "NA"),   // Mexico
    ("sa-east-1", "SA"),      // São Paulo
    ("us-east-1", "NA"),      // N. Virginia
    ("us-east-2", "NA"),      // Ohio
    ("us-west-1", "NA"),      // N. California
    ("us-west-2", "NA"),      // Oregon
];

/// The continent of `region`; `None` when it is not an AWS region (a design
/// that names one does not resolve: E0214).
pub fn continent(region: &str) -> Option<Continent> {
    AWS_REGIONS
        .binary_search_by(|(name, _)| name.cmp(&region))
        .ok()
        .map(|i| AWS_REGIONS[i].1)
}

pub fn is_aws_region(region: &str) -> bool {
    continent(region).is_some()
}

/// The region names, for a did-you-mean.
pub fn names() -> impl Iterator<Item = &'static str> {
    AWS_REGIONS.iter().map(|(name, _)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_unique_and_uses_route53_codes_only() {
        for w in AWS_REGIONS.windows(2) {
            assert!(w[0].0 < w[1].0, "{} before {}", w[0].0, w[1].0);
        }
        for (name, c) in AWS_REGIONS {
            assert!(
                ["AF", "AN", "AS", "EU", "NA", "OC", "SA"].contains(c),
                "{name}: {c} is no Route 53 continent code"
            );
        }
    }

    #[test]
    fn continents() {
        assert_eq!(continent("us-east-1"), Some("NA"));
        assert_eq!(continent("eu-west-1"), Some("EU"));
        assert_eq!(continent("ap-southeast-2"), Some("OC"));
        assert_eq!(continent("ap-northeast-1"), Some("AS"));
        assert_eq!(continent("me-south-1"), Some("AS"));
        assert_eq!(continent("mars-1"), None);
        assert_eq!(continent("us-gov-west-1"), None);
    }
}
