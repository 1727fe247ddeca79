//! The OpenAPI 3.0 document, served at `GET /api/v1/openapi.json`.
//!
//! Written by hand next to the routes; two tests keep them from drifting: every entry of
//! [`super::ROUTES`] (which the router is built from the same path constants) must be in the
//! document with its method, and every documented operation must reach a real route.

use axum::Json;
use serde_json::{Value, json};

use super::paths;

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } }
    })
}

fn ok(description: &str, schema: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } }
    })
}

fn body(schema: &str) -> Value {
    json!({
        "required": true,
        "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } }
    })
}

fn path_param(name: &str, description: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "description": description,
            "schema": { "type": "string", "format": "uuid" } })
}

fn query(name: &str, description: &str, schema: &Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
}

fn common_errors(mut responses: Value) -> Value {
    if let Some(map) = responses.as_object_mut() {
        map.insert(
            "401".into(),
            problem("UNAUTHENTICATED: missing or invalid bearer token"),
        );
        map.insert(
            "403".into(),
            problem("MISSING_SCOPE: the token lacks the required scope"),
        );
    }
    responses
}

fn enum_schema(values: &[&str]) -> Value {
    json!({ "type": "string", "enum": values })
}

fn schemas() -> Value {
    let action = enum_schema(&[
        "ADD",
        "MODIFY",
        "DELETE",
        "SUSPEND",
        "RESUME",
        "MOVE",
        "RENEW",
        "NO_CHANGE",
    ]);
    let hold_type = enum_schema(&[
        "CREDIT",
        "FRAUD",
        "LEGAL",
        "DOCUMENT",
        "MANUAL_VERIFICATION",
        "CAPACITY",
        "SERVICEABILITY",
    ]);
    let state = enum_schema(&[
        "DRAFT",
        "SUBMITTED",
        "VALIDATED",
        "DECOMPOSED",
        "IN_PROGRESS",
        "PARTIALLY_COMPLETED",
        "COMPLETED",
        "REJECTED",
        "FALLOUT",
        "CANCELLATION_REQUESTED",
        "CANCELLING",
        "CANCELLED",
        "FAILED_CLOSED",
    ]);
    let decimal = json!({ "type": "string", "description": "decimal(18,4) as a string, e.g. \"100.00\"; negative for discounts" });
    json!({
        "Problem": {
            "type": "object",
            "description": "RFC 7807 problem details; `code` is stable.",
            "required": ["type", "title", "status", "code"],
            "properties": {
                "type": { "type": "string" }, "title": { "type": "string" },
                "status": { "type": "integer" }, "code": { "type": "string" },
                "detail": { "type": "string" }, "correlationId": { "type": "string" },
                "existingOrderId": { "type": "string", "format": "uuid", "description": "QUOTE_ALREADY_CONVERTED only" },
                "violations": { "type": "array", "items": { "$ref": "#/components/schemas/Violation" } }
            }
        },
        "Violation": {
            "type": "object",
            "required": ["code", "field", "message"],
            "properties": {
                "code": { "type": "string", "description": "rule code (docs/validation-codes.md) or schema code (REQUIRED, INVALID_VALUE)" },
                "path": { "type": "string", "description": "path into the request, e.g. items[0].targetAssetId (domain violations)" },
                "field": { "type": "string", "description": "the same path (every violation has it)" },
                "message": { "type": "string" },
                "severity": { "type": "string", "enum": ["ERROR", "WARNING"] },
                "remediation": { "type": "string" }
            }
        },
        "CaptureOrderRequest": {
            "type": "object",
            "additionalProperties": false,
            "required": ["captureMode", "salesChannel", "customer", "currency", "items"],
            "properties": {
                "tenantId": { "type": "string", "description": "optional; must equal the token's tenant" },
                "captureMode": enum_schema(&["DIRECT_ORDER", "ADMIN_MIGRATION", "QUOTE_DERIVED"]),
                "orderType": enum_schema(&["NEW_PROVIDE", "CHANGE", "DISCONNECT", "MOVE", "RENEWAL", "SUSPEND_RESUME", "SUPPLEMENTAL", "MIGRATION"]),
                "orderIntent": enum_schema(&["CUSTOMER_PURCHASE", "AMENDMENT", "RETENTION_SAVE", "COMPLIANCE_CHANGE", "TECHNICAL_REMEDIATION", "INTERNAL_MIGRATION", "BILLING_ADJUSTMENT"]),
                "sourceSystem": { "type": "string", "default": "api" },
                "salesChannel": { "type": "string" },
                "externalOrderRef": { "type": "string", "description": "unique per tenant" },
                "quote": { "$ref": "#/components/schemas/QuoteRef" },
                "customer": {
                    "type": "object", "required": ["customerId", "accountId", "billingAccountId"],
                    "properties": {
                        "customerId": { "type": "string" }, "accountId": { "type": "string" },
                        "billingAccountId": { "type": "string" }, "payerId": { "type": "string" },
                        "displayName": { "type": "string" }
                    }
                },
                "serviceAddress": {
                    "type": "object", "required": ["line1", "city", "postalCode", "countryCode"],
                    "properties": {
                        "line1": { "type": "string" }, "line2": { "type": "string" }, "city": { "type": "string" },
                        "postalCode": { "type": "string" }, "countryCode": { "type": "string" }
                    }
                },
                "requestedStartDate": { "type": "string", "format": "date" },
                "requestedCompletionDate": { "type": "string", "format": "date" },
                "currency": { "type": "string", "description": "ISO 4217" },
                "priceListRef": { "type": "string" },
                "contractTermMonths": { "type": "integer" },
                "orderTotal": decimal,
                "items": { "type": "array", "items": { "$ref": "#/components/schemas/CaptureItem" } },
                "relations": { "type": "array", "items": {
                    "type": "object", "required": ["relationType", "orderId"],
                    "properties": { "relationType": enum_schema(&["AMENDS", "CANCELS", "SUPPLEMENTS", "REPLACES", "COMPENSATES", "REPAIRS"]), "orderId": { "type": "string", "format": "uuid" } } } },
                "migration": {
                    "type": "object", "required": ["reasonCode", "evidenceRef", "allowPastDates"],
                    "description": "ADMIN_MIGRATION evidence",
                    "properties": { "reasonCode": { "type": "string" }, "evidenceRef": { "type": "string" }, "allowPastDates": { "type": "boolean" } }
                },
                "holds": { "type": "array", "description": "holds placed at capture, before release (capture only)",
                           "items": { "$ref": "#/components/schemas/HoldRequest" } }
            }
        },
        "QuoteRef": {
            "type": "object",
            "required": ["quoteId", "revision", "acceptedAt", "validUntil", "configurationHash", "priceHash"],
            "properties": {
                "quoteId": { "type": "string" }, "revision": { "type": "integer" },
                "quoteNumber": { "type": "string" }, "acceptedAt": { "type": "string", "format": "date-time" },
                "acceptedBy": { "type": "string" }, "validUntil": { "type": "string", "format": "date" },
                "configurationHash": { "type": "string" }, "priceHash": { "type": "string" },
                "approvalRef": { "type": "string" }
            }
        },
        "CaptureItem": {
            "type": "object",
            "additionalProperties": false,
            "required": ["clientItemRef", "action", "productOfferingId", "quantity"],
            "properties": {
                "clientItemRef": { "type": "string", "description": "unique within the order" },
                "lineNumber": { "type": "integer", "description": "defaults to the position (1-based)" },
                "parentRef": { "type": "string", "description": "clientItemRef of the bundle parent" },
                "action": action,
                "productOfferingId": { "type": "string" },
                "productOfferingVersion": { "type": "integer" },
                "productOfferingName": { "type": "string" },
                "productSpecRef": { "type": "string" },
                "quantity": { "type": "integer", "minimum": 1 },
                "targetAssetId": { "type": "string", "description": "required for every action except ADD" },
                "configuration": { "type": "object", "additionalProperties": { "type": "string" } },
                "priceComponents": { "type": "array", "items": {
                    "type": "object", "required": ["kind", "amount", "description"],
                    "properties": { "kind": enum_schema(&["RECURRING", "ONE_TIME", "DISCOUNT", "FEE"]), "amount": decimal,
                                    "recurrencePeriod": { "type": "string" }, "description": { "type": "string" } } } },
                "itemTotal": decimal,
                "currency": { "type": "string" },
                "dependsOn": { "type": "array", "items": {
                    "type": "object", "required": ["clientItemRef", "dependencyType"],
                    "properties": { "clientItemRef": { "type": "string" }, "dependencyType": enum_schema(&["SEQUENCE", "RESOURCE", "COMMERCIAL", "TECHNICAL", "BILLING"]) } } }
            }
        },
        "HoldRequest": {
            "type": "object", "additionalProperties": false, "required": ["holdType", "reason"],
            "properties": { "holdType": hold_type, "blocking": { "type": "boolean", "default": true }, "reason": { "type": "string" } }
        },
        "ReleaseHoldRequest": {
            "type": "object", "additionalProperties": false, "required": ["reason"],
            "properties": { "reason": { "type": "string" } }
        },
        "RepairRequest": {
            "type": "object", "additionalProperties": false, "required": ["resolution", "reason"],
            "properties": { "resolution": enum_schema(&["RESUME", "RETRY_ITEM", "WAIVE_ITEM"]), "reason": { "type": "string" } }
        },
        "CaptureResponse": {
            "type": "object",
            "required": ["orderId", "orderNumber", "state", "fulfillmentState", "captureMode", "customerStatus", "version", "links"],
            "properties": {
                "orderId": { "type": "string", "format": "uuid" }, "orderNumber": { "type": "string", "example": "O-2026-00000421" },
                "state": state.clone(), "fulfillmentState": enum_schema(&["NOT_STARTED", "IN_PROGRESS", "COMPLETED", "CLOSED"]),
                "captureMode": { "type": "string" }, "customerStatus": { "$ref": "#/components/schemas/CustomerStatus" },
                "version": { "type": "integer" }, "holds": { "type": "array", "items": { "type": "object" } },
                "warnings": { "type": "array", "items": { "$ref": "#/components/schemas/Violation" } },
                "links": { "type": "object", "properties": { "self": { "type": "string" }, "history": { "type": "string" } } }
            }
        },
        "CustomerStatus": {
            "type": "object",
            "properties": { "code": enum_schema(&["RECEIVED", "PROCESSING", "ACTION_REQUIRED", "COMPLETED", "CANCELLED", "REJECTED"]), "label": { "type": "string" } }
        },
        "Order": {
            "type": "object",
            "description": "The order: header (source, parties, dates, commercial snapshot), items with snapshots, holds, relations, fallout, customer-facing status.",
            "properties": {
                "orderId": { "type": "string", "format": "uuid" }, "orderNumber": { "type": "string" },
                "tenantId": { "type": "string" }, "state": state.clone(), "fulfillmentState": { "type": "string" },
                "customerStatus": { "$ref": "#/components/schemas/CustomerStatus" },
                "captureMode": { "type": "string" }, "version": { "type": "integer" },
                "header": { "type": "object", "nullable": true }, "items": { "type": "array", "items": { "type": "object" } },
                "holds": { "type": "array", "items": { "type": "object" } }, "relations": { "type": "array", "items": { "type": "object" } },
                "violations": { "type": "array", "items": { "$ref": "#/components/schemas/Violation" } },
                "fallout": { "type": "object", "nullable": true },
                "fulfillmentSummary": { "type": "object" },
                "createdAt": { "type": "string", "format": "date-time" }, "updatedAt": { "type": "string", "format": "date-time" }
            }
        },
        "HoldPlaced": {
            "type": "object",
            "properties": { "holdId": { "type": "string", "format": "uuid" }, "order": { "$ref": "#/components/schemas/Order" } }
        },
        "OrderPage": {
            "type": "object",
            "properties": {
                "orders": { "type": "array", "items": { "type": "object" } },
                "page": { "type": "object", "properties": { "limit": { "type": "integer" }, "offset": { "type": "integer" }, "total": { "type": "integer" } } }
            }
        },
        "History": {
            "type": "object",
            "properties": {
                "orderId": { "type": "string" }, "orderNumber": { "type": "string" }, "state": state,
                "transitions": { "type": "array", "items": { "type": "object", "description": "fromState, toState, eventType, actor, reason, at, correlationId, causationId, orderVersion" } },
                "commands": { "type": "array", "items": { "type": "object" } },
                "events": { "type": "array", "items": { "type": "object" } }
            }
        },
        "CancellationRequest": {
            "type": "object", "required": ["reasonCode"],
            "properties": {
                "reasonCode": { "type": "string", "example": "CUSTOMER_CHANGED_MIND" },
                "reason": { "type": "string" },
                "scope": { "type": "object", "description": "{\"type\": \"ORDER\"} (default) or {\"type\": \"ITEMS\", \"orderItemIds\": [...]}; children and dependents are added" },
                "forceManualReview": { "type": "boolean" }
            }
        },
        "AmendmentRequest": {
            "type": "object", "required": ["reasonCode", "changes"],
            "properties": {
                "reasonCode": { "type": "string" }, "reason": { "type": "string" },
                "changes": { "type": "array", "items": { "type": "object",
                    "description": "type CHANGE_REQUESTED_DATES {requestedStartDate, requestedCompletionDate} | CHANGE_SERVICE_ADDRESS {address} | CHANGE_ITEM_CONFIGURATION {itemId, set} | CHANGE_ITEM_OFFERING {itemId, productOfferingId, productOfferingVersion, productOfferingName, price} | CHANGE_ITEM_QUANTITY {itemId, quantity, price} | CHANGE_ITEM_PRICE {itemId, price}; price = {priceComponents, itemTotal}" } }
            }
        },
        "ReviewRequest": {
            "type": "object", "required": ["reason"], "properties": { "reason": { "type": "string" } }
        },
        "ValidationResult": {
            "type": "object",
            "properties": { "valid": { "type": "boolean" }, "violations": { "type": "array", "items": { "$ref": "#/components/schemas/Violation" } } }
        }
    })
}

/// The document.
pub fn spec() -> Value {
    let order_id = path_param("orderId", "the order id");
    let idempotency = json!({ "name": "Idempotency-Key", "in": "header", "required": true,
        "description": "1-255 visible ASCII characters; same key + same payload replays the stored answer, another payload is 409",
        "schema": { "type": "string" } });
    let correlation = json!({ "name": "X-Correlation-Id", "in": "header", "required": false,
        "description": "adopted when 1-128 characters of [A-Za-z0-9._:-], else generated; echoed in the response",
        "schema": { "type": "string" } });
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "OMS order-capture API",
            "version": "1.0.0",
            "description": "Captures product orders (DIRECT_ORDER, ADMIN_MIGRATION, QUOTE_DERIVED, SUPPLEMENTAL), validates them, and exposes orders, their history, holds, fallout repair, and cancellation and amendment of orders in flight with dry runs. Errors are application/problem+json with a stable `code`. See docs/api.md."
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer",
                "description": "Tokens carry tenant and scopes: orders:read, orders:write, operator." } },
            "schemas": schemas()
        },
        "security": [ { "bearer": [] } ],
        "paths": {}
    });
    let paths_doc = json!({
        paths::ORDERS: {
            "post": {
                "operationId": "captureOrder", "summary": "Capture an order (scope orders:write)",
                "parameters": [idempotency, correlation],
                "requestBody": body("CaptureOrderRequest"),
                "responses": common_errors(json!({
                    "201": ok("Captured and validated (replays carry Idempotent-Replayed: true)", "CaptureResponse"),
                    "400": problem("MISSING_HEADER, INVALID_HEADER, MALFORMED_JSON, INVALID_BODY, TOO_MANY_ITEMS, CAPTURE_MODE_NOT_SUPPORTED"),
                    "409": problem("IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_PAYLOAD, QUOTE_ALREADY_CONVERTED (with existingOrderId)"),
                    "413": problem("PAYLOAD_TOO_LARGE"), "415": problem("UNSUPPORTED_MEDIA_TYPE"),
                    "422": problem("ORDER_VALIDATION_FAILED with violations")
                }))
            },
            "get": {
                "operationId": "searchOrders", "summary": "Search the tenant's orders, newest first (scope orders:read)",
                "parameters": [
                    query("customerId", "customer id", &json!({ "type": "string" })),
                    query("accountId", "account id", &json!({ "type": "string" })),
                    query("state", "order state", &json!({ "type": "string" })),
                    query("quoteId", "quote id", &json!({ "type": "string" })),
                    query("externalOrderRef", "the channel's reference", &json!({ "type": "string" })),
                    query("createdFrom", "created at or after (RFC 3339)", &json!({ "type": "string", "format": "date-time" })),
                    query("createdTo", "created before (RFC 3339)", &json!({ "type": "string", "format": "date-time" })),
                    query("limit", "page size (default 50)", &json!({ "type": "integer" })),
                    query("offset", "rows to skip (default 0)", &json!({ "type": "integer" }))
                ],
                "responses": common_errors(json!({ "200": ok("A page of order summaries", "OrderPage"), "400": problem("INVALID_QUERY") }))
            }
        },
        paths::ORDER: {
            "get": {
                "operationId": "getOrder", "summary": "An order with header, items, holds, relations and customer-facing status (scope orders:read)",
                "parameters": [order_id.clone()],
                "responses": common_errors(json!({ "200": ok("The order", "Order"), "404": problem("ORDER_NOT_FOUND (also for another tenant's order)") }))
            }
        },
        paths::ORDER_HISTORY: {
            "get": {
                "operationId": "getOrderHistory", "summary": "Every transition, command and event of an order (scope orders:read)",
                "parameters": [order_id.clone()],
                "responses": common_errors(json!({ "200": ok("The history", "History"), "404": problem("ORDER_NOT_FOUND") }))
            }
        },
        paths::ORDER_HOLDS: {
            "post": {
                "operationId": "placeHold", "summary": "Place a hold (scope orders:write)",
                "parameters": [order_id.clone()], "requestBody": body("HoldRequest"),
                "responses": common_errors(json!({ "201": ok("Placed", "HoldPlaced"), "404": problem("ORDER_NOT_FOUND"),
                    "409": problem("ORDER_TRANSITION_NOT_ALLOWED, VERSION_CONFLICT"), "422": problem("VALIDATION_FAILED (reason)") }))
            }
        },
        paths::HOLD_RELEASE: {
            "post": {
                "operationId": "releaseHold", "summary": "Release a hold; the order continues if nothing else blocks it (scope orders:write)",
                "parameters": [order_id.clone(), path_param("holdId", "the hold id")], "requestBody": body("ReleaseHoldRequest"),
                "responses": common_errors(json!({ "200": ok("The order after release", "Order"),
                    "404": problem("ORDER_NOT_FOUND, HOLD_NOT_FOUND"), "409": problem("HOLD_ALREADY_RELEASED, VERSION_CONFLICT") }))
            }
        },
        paths::FALLOUT_REPAIR: {
            "post": {
                "operationId": "repairFallout", "summary": "Repair a fallout case (scope operator)",
                "parameters": [order_id, path_param("falloutId", "the fallout case id")], "requestBody": body("RepairRequest"),
                "responses": common_errors(json!({ "200": ok("The order after repair", "Order"),
                    "404": problem("ORDER_NOT_FOUND, FALLOUT_NOT_FOUND"), "409": problem("FAILED_ITEM_UNRESOLVED, REPAIR_INVALID, ITEM_TRANSITION_NOT_ALLOWED, VERSION_CONFLICT") }))
            }
        },
        paths::ORDER_VALIDATIONS: {
            "post": {
                "operationId": "validateOrder", "summary": "Advisory validation with the capture rules; nothing is stored (scope orders:write)",
                "requestBody": body("CaptureOrderRequest"),
                "responses": common_errors(json!({ "200": ok("The outcome", "ValidationResult"), "400": problem("INVALID_BODY and other schema errors") }))
            }
        },
        paths::OPENAPI: {
            "get": { "operationId": "openApi", "summary": "This document", "security": [],
                     "responses": { "200": { "description": "OpenAPI 3.0 document", "content": { "application/json": {} } } } }
        },
        paths::DEAD_LETTERS: {
            "get": { "operationId": "listDeadLetters", "summary": "Open dead letters of the consumer, oldest first (scope operator)",
                     "parameters": [query("limit", "at most this many (default 100)", &json!({ "type": "integer" }))],
                     "responses": common_errors(json!({ "200": { "description": "consumer and deadLetters", "content": { "application/json": {} } } })) }
        },
        paths::DEAD_LETTER_REPLAY: {
            "post": { "operationId": "replayDeadLetter", "summary": "Replay a dead letter through the consumer's handlers (scope operator)",
                      "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                      "responses": common_errors(json!({ "200": { "description": "REPLAYED", "content": { "application/json": {} } },
                          "404": problem("NOT_FOUND"), "409": problem("DEAD_LETTER_NOT_OPEN, DEAD_LETTER_STILL_FAILING"),
                          "503": problem("SERVICE_UNAVAILABLE") })) }
        },
        paths::HEALTH_LIVE: {
            "get": { "operationId": "live", "summary": "Liveness", "security": [], "responses": { "200": { "description": "live" } } }
        },
        paths::HEALTH_READY: {
            "get": { "operationId": "ready", "summary": "Readiness: database, relay running, consumer running", "security": [],
                     "responses": { "200": { "description": "ready" }, "503": { "description": "not ready, with the failing checks" } } }
        },
        paths::METRICS: {
            "get": { "operationId": "metrics", "summary": "Prometheus metrics", "security": [],
                     "responses": { "200": { "description": "text exposition format" } } }
        }
    });
    let mut paths_doc = paths_doc;
    if let (Some(all), Some(changes)) = (paths_doc.as_object_mut(), change_paths().as_object()) {
        all.extend(changes.clone());
    }
    doc["paths"] = paths_doc;
    doc
}

/// Cancellation, amendment, supplemental orders and relations (ADR 0008, docs/api.md).
fn change_paths() -> Value {
    let order_id = path_param("orderId", "the order id");
    let request_id = path_param("requestId", "the request id");
    let if_match = json!({ "name": "If-Match", "in": "header", "required": false,
        "description": "the assessmentVersion (ETag) of the dry run the request was decided on; 409 ASSESSMENT_STALE when the order or its tasks moved since",
        "schema": { "type": "string" } });
    let idempotency = json!({ "name": "Idempotency-Key", "in": "header", "required": false,
        "description": "optional; same key + same payload replays the stored answer, another payload is 409",
        "schema": { "type": "string" } });
    let capture_key = json!({ "name": "Idempotency-Key", "in": "header", "required": true,
        "description": "1-255 visible ASCII characters", "schema": { "type": "string" } });
    let any = |d: &str| json!({ "description": d, "content": { "application/json": { "schema": { "type": "object" } } } });
    json!({
        paths::CANCELLATION_ASSESSMENTS: { "post": {
            "operationId": "assessCancellation",
            "summary": "Dry run of a cancellation: per item and task what would happen, compensation steps in order, price effect, blockers (scope orders:write)",
            "parameters": [order_id.clone()], "requestBody": body("CancellationRequest"),
            "responses": common_errors(json!({ "200": any("assessment and assessmentVersion (also the ETag)"),
                "404": problem("ORDER_NOT_FOUND, ITEM_NOT_FOUND"), "409": problem("COMPLETED_ORDER_NOT_CANCELLABLE, ORDER_TRANSITION_NOT_ALLOWED"),
                "422": problem("VALIDATION_FAILED, CANCELLATION_SCOPE_INVALID") })) } },
        paths::CANCELLATION_REQUESTS: {
            "post": {
                "operationId": "requestCancellation",
                "summary": "Request a cancellation of the order or some items (scope orders:write)",
                "parameters": [order_id.clone(), if_match.clone(), idempotency.clone()], "requestBody": body("CancellationRequest"),
                "responses": common_errors(json!({
                    "200": any("CANCELLED at once (nothing had been released to fulfillment)"),
                    "202": any("ACCEPTED_FOR_ASSESSMENT: fulfillment assesses and compensates; follow links.self"),
                    "404": problem("ORDER_NOT_FOUND, ITEM_NOT_FOUND"),
                    "409": problem("ORDER_NOT_CANCELLABLE (blockers, e.g. ITEM_PAST_POINT_OF_NO_RETURN, with remediation), COMPLETED_ORDER_NOT_CANCELLABLE, CANCELLATION_ALREADY_REQUESTED, CHANGE_ALREADY_IN_PROGRESS, ASSESSMENT_STALE, VERSION_CONFLICT, IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_PAYLOAD"),
                    "422": problem("VALIDATION_FAILED, CANCELLATION_SCOPE_INVALID") })) },
            "get": { "operationId": "listCancellationRequests", "summary": "The order's cancellation requests (scope orders:read)",
                "parameters": [order_id.clone()], "responses": common_errors(json!({ "200": any("requests"), "404": problem("ORDER_NOT_FOUND") })) }
        },
        paths::CANCELLATION_REQUEST: { "get": {
            "operationId": "getCancellationRequest", "summary": "One cancellation request: status, assessment, fulfillment's verdict (scope orders:read)",
            "parameters": [order_id.clone(), request_id.clone()],
            "responses": common_errors(json!({ "200": any("the request"), "404": problem("ORDER_NOT_FOUND, REQUEST_NOT_FOUND") })) } },
        paths::CANCELLATION_APPROVE: { "post": {
            "operationId": "approveCancellation", "summary": "Approve a cancellation that requires manual review (scope operator)",
            "parameters": [order_id.clone(), request_id.clone()], "requestBody": body("ReviewRequest"),
            "responses": common_errors(json!({ "200": ok("The order", "Order"), "404": problem("ORDER_NOT_FOUND, REQUEST_NOT_FOUND"),
                "409": problem("CANCELLATION_REVIEW_NOT_PENDING, CANCELLATION_REQUEST_MISMATCH, ORDER_TRANSITION_NOT_ALLOWED") })) } },
        paths::CANCELLATION_REJECT: { "post": {
            "operationId": "rejectCancellation", "summary": "Reject a cancellation that requires manual review; the order resumes (scope operator)",
            "parameters": [order_id.clone(), request_id.clone()], "requestBody": body("ReviewRequest"),
            "responses": common_errors(json!({ "200": ok("The order", "Order"), "404": problem("ORDER_NOT_FOUND, REQUEST_NOT_FOUND"),
                "409": problem("CANCELLATION_REVIEW_NOT_PENDING, CANCELLATION_REQUEST_MISMATCH") })) } },
        paths::AMENDMENT_ASSESSMENTS: { "post": {
            "operationId": "assessAmendment",
            "summary": "Dry run of an amendment: safety-matrix rule per change, tasks kept/replaced/blocking, price effect, content after (scope orders:write)",
            "parameters": [order_id.clone()], "requestBody": body("AmendmentRequest"),
            "responses": common_errors(json!({ "200": any("assessment, contentAfter and assessmentVersion (also the ETag)"),
                "404": problem("ORDER_NOT_FOUND, ITEM_NOT_FOUND"), "409": problem("ORDER_COMPLETED, ORDER_CLOSED, AMENDMENT_NOT_ALLOWED"),
                "422": problem("VALIDATION_FAILED, AMENDMENT_INVALID, AMENDMENT_NO_CHANGE") })) } },
        paths::AMENDMENT_REQUESTS: {
            "post": {
                "operationId": "requestAmendment", "summary": "Request an amendment of an order in flight (scope orders:write)",
                "parameters": [order_id.clone(), if_match, idempotency], "requestBody": body("AmendmentRequest"),
                "responses": common_errors(json!({
                    "200": any("APPLIED at once (nothing to re-plan)"),
                    "202": any("AWAITING_REPLAN: decomposition re-plans and fulfillment replaces the pending tasks; follow links.self"),
                    "404": problem("ORDER_NOT_FOUND, ITEM_NOT_FOUND"),
                    "409": problem("AMENDMENT_PAST_POINT_OF_NO_RETURN, AMENDMENT_NOT_ALLOWED, DECOMPOSITION_IN_PROGRESS (blockers with remediation), ORDER_COMPLETED, CHANGE_ALREADY_IN_PROGRESS, ASSESSMENT_STALE, VERSION_CONFLICT"),
                    "422": problem("VALIDATION_FAILED, AMENDMENT_INVALID, AMENDMENT_NO_CHANGE, REASON_REQUIRED") })) },
            "get": { "operationId": "listAmendmentRequests", "summary": "The order's amendment requests (scope orders:read)",
                "parameters": [order_id.clone()], "responses": common_errors(json!({ "200": any("requests"), "404": problem("ORDER_NOT_FOUND") })) }
        },
        paths::AMENDMENT_REQUEST: { "get": {
            "operationId": "getAmendmentRequest", "summary": "One amendment request: status, assessment, outcome (scope orders:read)",
            "parameters": [order_id.clone(), request_id],
            "responses": common_errors(json!({ "200": any("the request"), "404": problem("ORDER_NOT_FOUND, REQUEST_NOT_FOUND") })) } },
        paths::SUPPLEMENTAL_ORDERS: { "post": {
            "operationId": "captureSupplementalOrder",
            "summary": "Capture a new order (capture mode SUPPLEMENTAL) that SUPPLEMENTS this one (scope orders:write)",
            "parameters": [order_id.clone(), capture_key], "requestBody": body("CaptureOrderRequest"),
            "responses": common_errors(json!({ "201": ok("Captured and validated", "CaptureResponse"),
                "404": problem("ORDER_NOT_FOUND"), "409": problem("IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_PAYLOAD"),
                "422": problem("ORDER_VALIDATION_FAILED (e.g. RELATED_ORDER_STATE_INVALID, RELATED_ORDER_PARTY_MISMATCH, ASSET_IN_FLIGHT)") })) } },
        paths::RELATED_ORDERS: { "get": {
            "operationId": "relatedOrders", "summary": "Orders related to this one, both directions (scope orders:read)",
            "parameters": [order_id],
            "responses": common_errors(json!({ "200": any("relatedOrders"), "404": problem("ORDER_NOT_FOUND") })) } }
    })
}

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<Value> {
    Json(spec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_documented_and_nothing_else() {
        let doc = spec();
        let documented: Vec<(String, String)> = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, ops)| {
                ops.as_object()
                    .unwrap()
                    .keys()
                    .map(move |method| (method.clone(), path.clone()))
            })
            .collect();
        for (method, path) in super::super::ROUTES {
            assert!(
                documented.contains(&((*method).to_owned(), (*path).to_owned())),
                "{method} {path} is routed but not documented"
            );
        }
        assert_eq!(
            documented.len(),
            super::super::ROUTES.len(),
            "documented operations without a route"
        );
    }
}
