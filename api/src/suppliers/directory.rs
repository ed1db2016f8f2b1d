//! The national supplier records as a lookup for tenant data: a contract or a spend line names
//! its supplier by id or by name, and takes its SME and VCSE flags and its locality from the
//! national record when there is one.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::area::Area;
use crate::db::DbConnection;
use crate::db::schema::suppliers;
use crate::error::ApiResult;
use crate::region::Region;
use crate::tenants::model::TenantRow;
use crate::text_enum::text_enum;
use crate::text_search::lower;

text_enum! {
    /// Where a supplier is based, seen from the tenant that buys from it: in the tenant's own
    /// area (a police force area: a county, a group of unitary areas or a metropolitan area),
    /// elsewhere in its region, or outside it. The local-spend KPIs count these.
    pub enum SupplierLocality {
        Area = "area",
        Region = "region",
        Outside = "outside",
    }
}

/// A national supplier record, as much of it as tenant data needs.
#[derive(Debug, Clone)]
pub struct KnownSupplier {
    pub id: String,
    pub name: String,
    pub sme: bool,
    pub vcse: bool,
    /// The police force area it is based in, if recorded.
    pub based_in: Option<Area>,
}

/// Where a tenant is, for telling who is local to it: the area it serves (if recorded) and its
/// region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantPlace {
    pub area: Option<Area>,
    pub region: Region,
}

impl TenantPlace {
    pub fn of(tenant: &TenantRow) -> ApiResult<TenantPlace> {
        Ok(TenantPlace {
            area: tenant.area().transpose()?,
            region: Region::from_db(&tenant.region)?,
        })
    }
}

impl KnownSupplier {
    /// Local means where the supplier is based, not where it delivers: based in the tenant's
    /// area is `area`, elsewhere in the tenant's region is `region`, anywhere else (or not
    /// recorded) is `outside`.
    pub fn locality_for(&self, tenant: TenantPlace) -> SupplierLocality {
        match self.based_in {
            Some(area) if tenant.area == Some(area) => SupplierLocality::Area,
            Some(area) if area.region() == tenant.region => SupplierLocality::Region,
            _ => SupplierLocality::Outside,
        }
    }
}

/// Suppliers by id and by name (trimmed, lower-cased).
#[derive(Debug, Default)]
pub struct SupplierDirectory {
    by_id: HashMap<String, KnownSupplier>,
    id_by_name: HashMap<String, String>,
}

/// The supplier of a contract or spend line, resolved against the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedSupplier {
    pub id: Option<String>,
    pub name: String,
    pub locality: SupplierLocality,
    pub sme: bool,
    pub vcse: bool,
}

/// How a record names its supplier, before resolution.
#[derive(Debug, Clone, Default)]
pub struct SupplierReference<'a> {
    pub id: Option<&'a str>,
    pub name: Option<&'a str>,
    pub locality: Option<SupplierLocality>,
    pub sme: Option<bool>,
    pub vcse: Option<bool>,
}

/// What the directory reads of a supplier.
type Columns = (
    suppliers::id,
    suppliers::name,
    suppliers::sme,
    suppliers::vcse,
    suppliers::based_in,
);
const COLUMNS: Columns = (
    suppliers::id,
    suppliers::name,
    suppliers::sme,
    suppliers::vcse,
    suppliers::based_in,
);

fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

impl SupplierDirectory {
    /// Every supplier: for imports, which resolve many rows.
    pub fn load_all(conn: &mut DbConnection) -> ApiResult<SupplierDirectory> {
        let rows = suppliers::table.select(COLUMNS).load(conn)?;
        SupplierDirectory::from_rows(rows)
    }

    /// Only the suppliers one record could name: by its id, or by its name.
    pub fn load_for(conn: &mut DbConnection, reference: &SupplierReference<'_>) -> ApiResult<SupplierDirectory> {
        let id = reference.id.unwrap_or_default().to_owned();
        let name = reference.name.map(name_key).unwrap_or_default();
        let rows = suppliers::table
            .filter(suppliers::id.eq(id).or(lower(suppliers::name).eq(name)))
            .select(COLUMNS)
            .load(conn)?;
        SupplierDirectory::from_rows(rows)
    }

    fn from_rows(rows: Vec<(String, String, bool, bool, Option<String>)>) -> ApiResult<SupplierDirectory> {
        let mut directory = SupplierDirectory::default();
        for (id, name, sme, vcse, based_in) in rows {
            let based_in = based_in.as_deref().map(Area::from_db).transpose()?;
            directory.id_by_name.insert(name_key(&name), id.clone());
            directory.by_id.insert(
                id.clone(),
                KnownSupplier {
                    id,
                    name,
                    sme,
                    vcse,
                    based_in,
                },
            );
        }
        Ok(directory)
    }

    pub fn get(&self, id: &str) -> Option<&KnownSupplier> {
        self.by_id.get(id)
    }

    pub fn find_by_name(&self, name: &str) -> Option<&KnownSupplier> {
        self.id_by_name.get(&name_key(name)).and_then(|id| self.by_id.get(id))
    }

    /// Resolves a supplier reference: a given id must be known; a name is matched to a known
    /// supplier if there is one, else kept as given. A known supplier's own SME and VCSE flags
    /// win over the record's; its locality is derived unless the record states one.
    /// The error names the field at fault and why.
    pub fn resolve(
        &self,
        reference: &SupplierReference<'_>,
        tenant: TenantPlace,
    ) -> Result<ResolvedSupplier, (&'static str, &'static str)> {
        let known = match (reference.id, reference.name) {
            (Some(id), _) => Some(self.get(id).ok_or(("supplier_id", "no supplier has this id"))?),
            (None, Some(name)) if crate::validate::is_blank(name) => {
                return Err(("supplier_name", "must not be blank"));
            }
            (None, Some(name)) => self.find_by_name(name),
            (None, None) => return Err(("supplier_name", "name the supplier: give supplier_id or supplier_name")),
        };
        Ok(match known {
            Some(known) => ResolvedSupplier {
                id: Some(known.id.clone()),
                name: known.name.clone(),
                locality: reference.locality.unwrap_or_else(|| known.locality_for(tenant)),
                sme: known.sme,
                vcse: known.vcse,
            },
            None => ResolvedSupplier {
                id: None,
                name: reference.name.unwrap_or_default().trim().to_owned(),
                locality: reference.locality.unwrap_or(SupplierLocality::Outside),
                sme: reference.sme.unwrap_or(false),
                vcse: reference.vcse.unwrap_or(false),
            },
        })
    }
}
