//! Domain `AssetEvent` <-> `AssetEventV1`. The domain -> contract direction mints the event
//! id: convert once per fact and store the result.

use oms_domain::DomainEvent;
use oms_domain::events::{self as dom, AssetEvent, AssetEventBase};
use oms_domain::value::{
    AccountId, AssetId, BillingAccountId, CustomerId, OrderId, OrderItemId, Quantity,
};

use super::{AssetEventV1, AssetHead, InstalledAsset};
use crate::common::{
    PriceSnapshot, ProductRef, ServiceAddress, actor_and_reason, checked_tenant, envelope_of,
    meta_of,
};
use crate::error::{MappingError, count_opt, id, parsed};

impl From<&dom::InstalledAsset> for InstalledAsset {
    fn from(a: &dom::InstalledAsset) -> Self {
        Self {
            customer_id: a.customer_id.as_str().to_owned(),
            account_id: a.account_id.as_str().to_owned(),
            billing_account_id: a.billing_account_id.as_str().to_owned(),
            product: ProductRef::from(&a.product),
            quantity: i64::from(a.quantity),
            status: a.status.into(),
            configuration: a.configuration.clone(),
            service_address: a.service_address.as_ref().map(ServiceAddress::from),
            price: PriceSnapshot::from(&a.price),
            activation_date: a.activation_date,
            term_months: a.term_months.map(i64::from),
            term_end_date: a.term_end_date,
        }
    }
}

impl InstalledAsset {
    pub fn to_domain(&self) -> Result<dom::InstalledAsset, MappingError> {
        Ok(dom::InstalledAsset {
            customer_id: parsed("asset.customerId", CustomerId::parse(&self.customer_id))?,
            account_id: parsed("asset.accountId", AccountId::parse(&self.account_id))?,
            billing_account_id: parsed(
                "asset.billingAccountId",
                BillingAccountId::parse(&self.billing_account_id),
            )?,
            product: self.product.to_domain()?,
            quantity: parsed("asset.quantity", Quantity::parse(self.quantity))?,
            status: self.status.into(),
            configuration: self.configuration.clone(),
            service_address: self.service_address.as_ref().map(Into::into),
            price: self.price.to_domain()?,
            activation_date: self.activation_date,
            term_months: count_opt("asset.termMonths", self.term_months)?,
            term_end_date: self.term_end_date,
        })
    }
}

impl From<&AssetEvent> for AssetEventV1 {
    fn from(event: &AssetEvent) -> Self {
        let base = event.base();
        let envelope = envelope_of(event);
        let (actor, reason) = actor_and_reason(event.meta());
        let asset_id = base.asset_id.as_str().to_owned();
        let order_id = base.order_id.as_uuid();
        let item_id = base.item_id.as_uuid();
        macro_rules! v1 {
            ($ty:ident { $($body:tt)* }) => {
                AssetEventV1::$ty(super::$ty {
                    envelope, asset_id, order_id, item_id, actor, reason, $($body)*
                })
            };
        }
        match event {
            AssetEvent::AssetCreated(e) => v1!(AssetCreated {
                asset: InstalledAsset::from(&e.asset),
            }),
            AssetEvent::AssetModified(e) => v1!(AssetModified {
                asset: InstalledAsset::from(&e.asset),
            }),
            AssetEvent::AssetTerminated(e) => v1!(AssetTerminated {
                asset: InstalledAsset::from(&e.asset),
                terminated_on: e.terminated_on,
            }),
            AssetEvent::AssetSuspended(e) => v1!(AssetSuspended {
                asset: InstalledAsset::from(&e.asset),
            }),
            AssetEvent::AssetResumed(e) => v1!(AssetResumed {
                asset: InstalledAsset::from(&e.asset),
            }),
            AssetEvent::AssetMoved(e) => v1!(AssetMoved {
                asset: InstalledAsset::from(&e.asset),
                previous_location: e.previous_location.as_ref().map(ServiceAddress::from),
            }),
            AssetEvent::AssetRenewed(e) => v1!(AssetRenewed {
                asset: InstalledAsset::from(&e.asset),
                previous_term_end_date: e.previous_term_end_date,
            }),
            AssetEvent::AssetInconsistencyDetected(e) => v1!(AssetInconsistencyDetected {
                attempted_action: e.attempted_action.into(),
                expected_status: e.expected_status.map(Into::into),
                actual_status: e.actual_status.map(Into::into),
                description: e.description.clone(),
            }),
            AssetEvent::AssetReverted(e) => v1!(AssetReverted {
                asset: InstalledAsset::from(&e.asset),
                reverted_effect: e.reverted_effect.into(),
            }),
        }
    }
}

fn base(head: &AssetHead<'_>) -> Result<AssetEventBase, MappingError> {
    let asset_id = parsed("assetId", AssetId::parse(head.asset_id))?;
    let tenant_id = checked_tenant(head.envelope, head.event_type, "Asset", head.asset_id)?;
    Ok(AssetEventBase {
        asset_id,
        tenant_id,
        order_id: id("orderId", head.order_id, OrderId::parse)?,
        item_id: id("itemId", head.item_id, OrderItemId::parse)?,
        meta: meta_of(head.envelope, head.actor, head.reason)?,
    })
}

impl TryFrom<&AssetEventV1> for AssetEvent {
    type Error = MappingError;

    fn try_from(event: &AssetEventV1) -> Result<Self, MappingError> {
        Ok(match event {
            AssetEventV1::AssetCreated(e) => dom::AssetCreated {
                base: base(&e.head())?,
                asset: e.asset.to_domain()?,
            }
            .into(),
            AssetEventV1::AssetModified(e) => dom::AssetModified {
                base: base(&e.head())?,
                asset: e.asset.to_domain()?,
            }
            .into(),
            AssetEventV1::AssetTerminated(e) => dom::AssetTerminated {
                base: base(&e.head())?,
                asset: e.asset.to_domain()?,
                terminated_on: e.terminated_on,
            }
            .into(),
            AssetEventV1::AssetSuspended(e) => dom::AssetSuspended {
                base: base(&e.head())?,
                asset: e.asset.to_domain()?,
            }
            .into(),
            AssetEventV1::AssetResumed(e) => dom::AssetResumed {
                base: base(&e.head())?,
                asset: e.asset.to_domain()?,
            }
            .into(),
            AssetEventV1::AssetMoved(e) => dom::AssetMoved {
                base: base(&e.head())?,
                asset: e.asset.to_domain()?,
                previous_location: e.previous_location.as_ref().map(Into::into),
            }
            .into(),
            AssetEventV1::AssetRenewed(e) => dom::AssetRenewed {
                base: base(&e.head())?,
                asset: e.asset.to_domain()?,
                previous_term_end_date: e.previous_term_end_date,
            }
            .into(),
            AssetEventV1::AssetInconsistencyDetected(e) => dom::AssetInconsistencyDetected {
                base: base(&e.head())?,
                attempted_action: e.attempted_action.into(),
                expected_status: e.expected_status.map(Into::into),
                actual_status: e.actual_status.map(Into::into),
                description: e.description.clone(),
            }
            .into(),
            AssetEventV1::AssetReverted(e) => dom::AssetReverted {
                base: base(&e.head())?,
                asset: e.asset.to_domain()?,
                reverted_effect: e.reverted_effect.into(),
            }
            .into(),
        })
    }
}
