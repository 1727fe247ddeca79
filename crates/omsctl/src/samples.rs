//! Sample accepted quotes, shaped as an upstream CPQ publishes them, over the offerings of the
//! sample technical catalog (`deploy/catalog/catalog-v1.toml`).
//!
//! - `fiber-bundle`: business fiber 500 Mbps + managed router + static IP + on-site installation
//!   (the source documents' example; router, static IP and installation are children of the
//!   access);
//! - `speed-upgrade`: MODIFY an existing access asset to the 1 Gbps profile (`--asset-id`);
//! - `disconnect`: DELETE an existing access asset (`--asset-id`);
//! - `mobile`: a mobile business plan with a device;
//! - `unmapped`: an offering the technical catalog does not know (ends in fallout with
//!   DECOMPOSITION_RULE_MISSING);
//! - `invalid`: a MODIFY without a target asset (rejected with TARGET_ASSET_REQUIRED).

use chrono::{Duration, Utc};
use oms_contracts::quote::{
    Address, CustomerRef, ItemAction, PriceComponent, PriceKind, QuoteAccepted, QuoteItem,
};
use rust_decimal::Decimal;
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The names `--sample` accepts.
pub const SAMPLES: &[(&str, &str)] = &[
    (
        "fiber-bundle",
        "fiber access 500M + managed router + static IP + on-site installation (ADD)",
    ),
    (
        "speed-upgrade",
        "MODIFY an access asset to 1 Gbps (needs --asset-id)",
    ),
    ("disconnect", "DELETE an access asset (needs --asset-id)"),
    ("mobile", "mobile business plan + device (ADD)"),
    (
        "unmapped",
        "an offering with no decomposition rule (ends in FALLOUT)",
    ),
    ("invalid", "MODIFY without a target asset (REJECTED)"),
];

/// Who the quote is for.
#[derive(Debug, Clone)]
pub struct Party {
    pub tenant: String,
    pub customer_id: String,
    pub account_id: String,
    pub billing_account_id: String,
}

fn money(text: &str) -> Decimal {
    text.parse().unwrap_or_default()
}

struct Line {
    id: &'static str,
    parent: Option<&'static str>,
    action: ItemAction,
    offering: &'static str,
    version: i32,
    name: &'static str,
    target_asset: Option<String>,
    configuration: &'static [(&'static str, &'static str)],
    prices: &'static [(PriceKind, &'static str, Option<&'static str>, &'static str)],
}

fn lines(sample: &str, asset: Option<&str>) -> anyhow::Result<Vec<Line>> {
    let target = || {
        asset.map(str::to_owned).ok_or_else(|| {
            anyhow::anyhow!("the `{sample}` sample needs --asset-id (the access asset to change)")
        })
    };
    Ok(match sample {
        "fiber-bundle" => vec![
            Line {
                id: "access",
                parent: None,
                action: ItemAction::Add,
                offering: "po-fiber-internet-500m",
                version: 2,
                name: "Business Fiber Internet 500 Mbps",
                target_asset: None,
                configuration: &[("bandwidth", "500Mbps"), ("accessTechnology", "GPON")],
                prices: &[
                    (
                        PriceKind::Recurring,
                        "499.0000",
                        Some("MONTHLY"),
                        "Fiber 500 Mbps monthly fee",
                    ),
                    (PriceKind::OneTime, "150.0000", None, "Activation fee"),
                    (
                        PriceKind::Discount,
                        "-50.0000",
                        None,
                        "First-month promotion",
                    ),
                ],
            },
            Line {
                id: "router",
                parent: Some("access"),
                action: ItemAction::Add,
                offering: "po-managed-router",
                version: 2,
                name: "Managed Router",
                target_asset: None,
                configuration: &[("model", "MR-5000"), ("wifi", "enabled")],
                prices: &[(
                    PriceKind::Recurring,
                    "49.9000",
                    Some("MONTHLY"),
                    "Managed router rental",
                )],
            },
            Line {
                id: "static-ip",
                parent: Some("access"),
                action: ItemAction::Add,
                offering: "po-static-ip",
                version: 1,
                name: "Static IP Address",
                target_asset: None,
                configuration: &[("addresses", "1")],
                prices: &[(
                    PriceKind::Recurring,
                    "15.0000",
                    Some("MONTHLY"),
                    "Static IPv4 address",
                )],
            },
            Line {
                id: "installation",
                parent: Some("access"),
                action: ItemAction::Add,
                offering: "po-onsite-installation",
                version: 1,
                name: "On-site Installation",
                target_asset: None,
                configuration: &[("appointmentWindow", "MORNING")],
                prices: &[(PriceKind::OneTime, "250.0000", None, "Technician visit")],
            },
        ],
        "speed-upgrade" => vec![Line {
            id: "access",
            parent: None,
            action: ItemAction::Modify,
            offering: "po-fiber-internet-1g",
            version: 2,
            name: "Business Fiber Internet 1 Gbps",
            target_asset: Some(target()?),
            configuration: &[("bandwidth", "1Gbps"), ("accessTechnology", "GPON")],
            prices: &[(
                PriceKind::Recurring,
                "899.0000",
                Some("MONTHLY"),
                "Fiber 1 Gbps monthly fee",
            )],
        }],
        "disconnect" => vec![Line {
            id: "access",
            parent: None,
            action: ItemAction::Delete,
            offering: "po-fiber-internet-1g",
            version: 2,
            name: "Business Fiber Internet",
            target_asset: Some(target()?),
            configuration: &[],
            prices: &[(PriceKind::Fee, "0.0000", None, "Disconnection")],
        }],
        "mobile" => vec![
            Line {
                id: "plan",
                parent: None,
                action: ItemAction::Add,
                offering: "po-mobile-business-plan",
                version: 1,
                name: "Mobile Business Plan 50 GB",
                target_asset: None,
                configuration: &[("dataAllowance", "50GB"), ("msisdnRange", "national")],
                prices: &[(
                    PriceKind::Recurring,
                    "39.0000",
                    Some("MONTHLY"),
                    "Mobile plan monthly fee",
                )],
            },
            Line {
                id: "device",
                parent: Some("plan"),
                action: ItemAction::Add,
                offering: "po-mobile-device",
                version: 1,
                name: "Smartphone X",
                target_asset: None,
                configuration: &[("model", "Smartphone X"), ("color", "graphite")],
                prices: &[(PriceKind::OneTime, "699.0000", None, "Device")],
            },
        ],
        "unmapped" => vec![Line {
            id: "satellite",
            parent: None,
            action: ItemAction::Add,
            offering: "po-satellite-internet",
            version: 1,
            name: "Satellite Internet (not in the technical catalog)",
            target_asset: None,
            configuration: &[("dish", "standard")],
            prices: &[(
                PriceKind::Recurring,
                "129.0000",
                Some("MONTHLY"),
                "Satellite monthly fee",
            )],
        }],
        "invalid" => vec![Line {
            id: "access",
            parent: None,
            action: ItemAction::Modify,
            offering: "po-fiber-internet-1g",
            version: 2,
            name: "Business Fiber Internet 1 Gbps",
            target_asset: None,
            configuration: &[("bandwidth", "1Gbps")],
            prices: &[(
                PriceKind::Recurring,
                "899.0000",
                Some("MONTHLY"),
                "Fiber 1 Gbps monthly fee",
            )],
        }],
        other => anyhow::bail!(
            "unknown sample `{other}`; samples: {}",
            SAMPLES
                .iter()
                .map(|(name, _)| *name)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

fn hash(parts: impl IntoIterator<Item = String>) -> String {
    let mut digest = Sha256::new();
    for part in parts {
        digest.update(part.as_bytes());
        digest.update([0]);
    }
    hex::encode(digest.finalize())
}

/// An accepted quote revision for `party` built from sample `sample`.
pub fn quote(sample: &str, party: &Party, asset: Option<&str>) -> anyhow::Result<QuoteAccepted> {
    let lines = lines(sample, asset)?;
    let quote_uuid = Uuid::now_v7();
    let quote_id = format!("q-{}", quote_uuid.simple());
    let now = Utc::now();
    let items: Vec<QuoteItem> = lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let price_components: Vec<PriceComponent> = line
                .prices
                .iter()
                .map(|(kind, amount, period, description)| PriceComponent {
                    kind: *kind,
                    amount: money(amount),
                    recurrence_period: period.map(str::to_owned),
                    description: (*description).to_owned(),
                })
                .collect();
            let item_total = price_components.iter().map(|c| c.amount).sum();
            QuoteItem {
                quote_item_id: format!("{quote_id}-{}", line.id),
                line_number: i32::try_from(index + 1).unwrap_or(i32::MAX),
                parent_quote_item_id: line.parent.map(|p| format!("{quote_id}-{p}")),
                action: line.action,
                product_offering_id: line.offering.to_owned(),
                product_offering_version: line.version,
                product_offering_name: line.name.to_owned(),
                quantity: 1,
                target_asset_id: line.target_asset.clone(),
                configuration: line
                    .configuration
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect::<BTreeMap<_, _>>(),
                price_components,
                item_total,
            }
        })
        .collect();
    let configuration_hash = hash(
        items
            .iter()
            .map(|i| format!("{}:{:?}", i.quote_item_id, i.configuration)),
    );
    let price_hash = hash(
        items
            .iter()
            .map(|i| format!("{}:{}", i.quote_item_id, i.item_total)),
    );
    Ok(QuoteAccepted {
        event_id: Uuid::now_v7(),
        occurred_at: oms_messaging::envelope::truncate_to_millis(now),
        tenant_id: party.tenant.clone(),
        correlation_id: Some(format!("corr-{}", quote_uuid.simple())),
        quote_id,
        quote_revision: 1,
        quote_number: format!(
            "Q-{}-{}",
            now.format("%Y"),
            &quote_uuid.simple().to_string()[24..]
        ),
        accepted_at: oms_messaging::envelope::truncate_to_millis(now),
        valid_until: (now + Duration::days(30)).date_naive(),
        sales_channel: "DIRECT_SALES".to_owned(),
        accepted_by: "sales-rep-omsctl".to_owned(),
        approval_ref: None,
        customer: CustomerRef {
            customer_id: party.customer_id.clone(),
            account_id: party.account_id.clone(),
            billing_account_id: party.billing_account_id.clone(),
            display_name: Some("Sample Customer Ltd".to_owned()),
        },
        service_address: Some(Address {
            line1: "12 Harbour Street".to_owned(),
            line2: Some("Floor 3".to_owned()),
            city: "Rotterdam".to_owned(),
            postal_code: "3011 AB".to_owned(),
            country_code: "NL".to_owned(),
        }),
        requested_start_date: Some((now + Duration::days(7)).date_naive()),
        currency: "EUR".to_owned(),
        price_list_ref: "pl-business-2026".to_owned(),
        contract_term_months: Some(24),
        items,
        configuration_hash,
        price_hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn party() -> Party {
        Party {
            tenant: "acme".into(),
            customer_id: "cust-1".into(),
            account_id: "acct-1".into(),
            billing_account_id: "ba-1".into(),
        }
    }

    #[test]
    fn every_sample_builds_and_totals_match_components() {
        for (name, _) in SAMPLES {
            let quote = quote(name, &party(), Some("asset-1")).expect(name);
            assert!(!quote.items.is_empty(), "{name}");
            for item in &quote.items {
                let sum: Decimal = item.price_components.iter().map(|c| c.amount).sum();
                assert_eq!(sum, item.item_total, "{name}/{}", item.quote_item_id);
            }
        }
    }

    #[test]
    fn the_fiber_bundle_keeps_its_hierarchy() {
        let quote = quote("fiber-bundle", &party(), None).expect("bundle");
        let access = &quote.items[0];
        assert_eq!(access.product_offering_id, "po-fiber-internet-500m");
        for child in &quote.items[1..] {
            assert_eq!(
                child.parent_quote_item_id.as_deref(),
                Some(access.quote_item_id.as_str())
            );
        }
        assert_eq!(access.item_total, money("599.0000"));
    }

    #[test]
    fn changes_to_existing_assets_need_the_asset() {
        let error = quote("speed-upgrade", &party(), None).expect_err("needs an asset");
        assert!(error.to_string().contains("--asset-id"));
        let quote = quote("speed-upgrade", &party(), Some("asset-9")).expect("upgrade");
        assert_eq!(quote.items[0].target_asset_id.as_deref(), Some("asset-9"));
        assert!(super::quote("nonsense", &party(), None).is_err());
    }
}
