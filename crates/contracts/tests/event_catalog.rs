//! `docs/event-catalog.md` is generated from the schemas; this keeps the committed file in
//! step with them.

use std::path::PathBuf;

#[test]
fn the_committed_catalog_matches_the_schemas() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/event-catalog.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let rendered = oms_contracts::catalog::render().expect("catalog renders");
    assert!(
        committed == rendered,
        "docs/event-catalog.md is out of date with schemas/. Regenerate it with\n  \
         cargo run -q -p oms-contracts --bin oms-event-catalog\nand commit the result."
    );
}

#[test]
fn the_catalog_lists_every_topic_event_and_billing_field() {
    let text = oms_contracts::catalog::render().expect("catalog renders");
    for topic in oms_contracts::catalog::TOPICS {
        assert!(
            text.contains(&format!("## `{}`", topic.name)),
            "{}",
            topic.name
        );
        for record in (topic.schemas)() {
            let short = record.name.rsplit('.').next().unwrap();
            assert!(text.contains(&format!("### {short}\n")), "{short}");
        }
    }
    assert!(text.contains("| `billingAccountId` | string | The account to invoice. |"));
    assert!(text.contains("| `price` | PriceSnapshot | Full accepted price"));
    assert!(
        text.contains(
            "| `total` | decimal(18,4) | Item total; equals the sum of the components. |"
        )
    );
    assert!(text.contains("| `oms.asset.events.v1` | asset id | asset |"));
    assert!(text.contains("Symbols: `NO_EXTERNAL_EFFECT`"));
    assert!(text.contains("Default: `LEGAL_VISIBLE`."));
}
