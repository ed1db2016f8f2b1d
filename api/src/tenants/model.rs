use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::area::Area;
use crate::clock;
use crate::db::schema::tenants;
use crate::error::ApiResult;
use crate::national_rules::NATIONAL;
use crate::region::Region;
use crate::text_enum::text_enum;
use crate::validate::Checks;

text_enum! {
    /// What kind of organisation a tenant is; decides which frameworks are open to it.
    pub enum TenantKind {
        Police = "police",
        Fire = "fire",
        National = "national",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tenants)]
pub struct TenantRow {
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub region: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub area: Option<String>,
}

/// A tenant: a police force, a fire and rescue service, or a national body.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Tenant {
    #[schema(example = "bedfordshire-police")]
    pub slug: String,
    #[schema(example = "Bedfordshire Police")]
    pub name: String,
    pub kind: TenantKind,
    pub region: Region,
    /// The police force area it serves, which makes a supplier based there local to it (`null`
    /// for a national body, or a service whose area spans several).
    pub area: Option<Area>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TenantRow {
    /// The area it serves, if recorded.
    pub fn area(&self) -> Option<ApiResult<Area>> {
        self.area.as_deref().map(Area::from_db)
    }

    pub fn into_api(self) -> ApiResult<Tenant> {
        Ok(Tenant {
            kind: TenantKind::from_db(&self.kind)?,
            region: Region::from_db(&self.region)?,
            area: self.area().transpose()?,
            slug: self.slug,
            name: self.name,
            created_at: clock::utc(self.created_at),
            updated_at: clock::utc(self.updated_at),
        })
    }
}

/// A new tenant. This is how a fire and rescue service joins: no code change, no restart.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"slug": "west-yorkshire-fire-and-rescue-service", "name": "West Yorkshire Fire and Rescue Service", "kind": "fire", "region": "yorkshire-and-the-humber"}))]
pub struct NewTenant {
    #[schema(min_length = 2, max_length = 64, pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: String,
    #[schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")]
    pub name: String,
    pub kind: TenantKind,
    pub region: Region,
    /// The police force area it serves (it must lie in `region`).
    pub area: Option<Area>,
}

/// An area must lie in the tenant's region, or "local" and "regional" would disagree.
fn check_area(checks: &mut Checks, area: Option<Area>, region: Region) {
    if let Some(area) = area {
        checks.check(
            area.region() == region,
            "area",
            format!("{area} is in the {} region, not {region}", area.region()),
        );
    }
}

impl NewTenant {
    pub fn validate(&self) -> ApiResult<()> {
        let mut checks = Checks::new();
        checks.slug("slug", &self.slug);
        // Findings, decision layers and plugins name the national rules layer by this word, and
        // rows that belong to the national body carry it as their tenant, so a tenant of that
        // name would be taken for either.
        checks.check(
            self.slug != NATIONAL,
            "slug",
            "`national` names the national body and its rules layer, not a tenant",
        );
        checks.text("name", &self.name, 200);
        check_area(&mut checks, self.area, self.region);
        checks.finish()
    }

    pub fn into_row(self) -> TenantRow {
        let now = clock::now();
        TenantRow {
            slug: self.slug,
            name: self.name.trim().to_owned(),
            kind: self.kind.as_str().to_owned(),
            region: self.region.as_str().to_owned(),
            area: self.area.map(|a| a.as_str().to_owned()),
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Changes to a tenant; absent fields stay as they are. The slug never changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Bedfordshire Police", "region": "eastern"}))]
pub struct TenantChanges {
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(nullable = false, min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(value_type = TenantKind)]
    pub kind: Option<TenantKind>,
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(value_type = Region)]
    pub region: Option<Region>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "crate::http::patch::double_option")]
    #[schema(value_type = Option<Area>)]
    pub area: Option<Option<Area>>,
}

impl TenantChanges {
    /// Checked against the tenant as it is, since an area must lie in the region it will have.
    pub fn validate(&self, current: &TenantRow) -> ApiResult<()> {
        let mut checks = Checks::new();
        checks.optional_text("name", self.name.as_deref(), 200);
        let region = match self.region {
            Some(region) => region,
            None => Region::from_db(&current.region)?,
        };
        let area = match self.area {
            Some(area) => area,
            None => current.area().transpose()?,
        };
        check_area(&mut checks, area, region);
        checks.finish()
    }
}

#[derive(AsChangeset)]
#[diesel(table_name = tenants)]
pub struct TenantChangeset {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub region: Option<String>,
    pub area: Option<Option<String>>,
}

impl From<TenantChanges> for TenantChangeset {
    fn from(changes: TenantChanges) -> TenantChangeset {
        TenantChangeset {
            name: changes.name.map(|n| n.trim().to_owned()),
            kind: changes.kind.map(|k| k.as_str().to_owned()),
            region: changes.region.map(|r| r.as_str().to_owned()),
            area: changes.area.map(|a| a.map(|a| a.as_str().to_owned())),
        }
    }
}

/// Filters for the tenant list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TenantFilter {
    pub kind: Option<TenantKind>,
    pub region: Option<Region>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}
