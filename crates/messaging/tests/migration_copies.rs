//! Every service database carries the messaging tables through a byte-identical copy of this
//! crate's migration template as its first migration (each service owns its database and its
//! migrations folder). A drifted copy would give one service a different outbox or inbox.

use std::path::Path;

#[test]
fn every_service_migrates_the_messaging_tables_from_an_identical_copy() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let template = std::fs::read(root.join("crates/messaging/migrations/0001_messaging.sql"))
        .expect("template");
    let mut checked = Vec::new();
    for entry in std::fs::read_dir(root.join("migrations")).expect("migrations folder") {
        let dir = entry.expect("entry").path();
        let service = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if service == "schema-registry" {
            continue; // the registry stand-in is not an event-driven service
        }
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("service migrations")
            .map(|e| e.expect("file").path())
            .filter(|p| p.extension().is_some_and(|e| e == "sql"))
            .collect();
        files.sort();
        let first = files
            .first()
            .unwrap_or_else(|| panic!("{service} has no migrations"));
        assert!(
            first
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with("_messaging.sql")),
            "{service}: the first migration must be the messaging copy, found {}",
            first.display()
        );
        assert_eq!(
            std::fs::read(first).expect("copy"),
            template,
            "{} differs from crates/messaging/migrations/0001_messaging.sql; copy it again",
            first.display()
        );
        checked.push(service);
    }
    checked.sort();
    assert_eq!(
        checked,
        [
            "asset",
            "decomposition",
            "fulfillment",
            "order-capture",
            "projections"
        ]
    );
}
