use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::clock;
use crate::db::schema::categories;
use crate::error::{ApiError, ApiResult};
use crate::http::patch::double_option;
use crate::validate::Checks;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = categories)]
pub struct CategoryRow {
    pub slug: String,
    pub name: String,
    pub parent_slug: Option<String>,
    pub description: String,
    pub cpv_codes: String,
    pub joint_with_fire: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An area of spend managed as one, in a tree (e.g. Uniform & PPE > Body armour).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Category {
    #[schema(example = "body-armour")]
    pub slug: String,
    #[schema(example = "Body armour")]
    pub name: String,
    /// The parent category's slug; null at the top of the tree.
    #[schema(example = "uniform-and-ppe")]
    pub parent: Option<String>,
    /// Slugs from the top of the tree down to this category.
    #[schema(example = json!(["uniform-and-ppe", "body-armour"]))]
    pub path: Vec<String>,
    pub description: String,
    /// Common Procurement Vocabulary codes.
    #[schema(example = json!(["35811000-1"]))]
    pub cpv_codes: Vec<String>,
    /// Whether fire and rescue services buy in this category too.
    pub joint_with_fire: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Every category's parent, to compute paths and subtrees without a recursive query.
pub struct CategoryTree {
    parents: HashMap<String, Option<String>>,
}

impl CategoryTree {
    pub fn new(pairs: Vec<(String, Option<String>)>) -> CategoryTree {
        CategoryTree {
            parents: pairs.into_iter().collect(),
        }
    }

    pub fn contains(&self, slug: &str) -> bool {
        self.parents.contains_key(slug)
    }

    /// Slugs from the root down to `slug`.
    pub fn path(&self, slug: &str) -> Vec<String> {
        let mut path = vec![slug.to_owned()];
        let mut current = slug;
        while let Some(Some(parent)) = self.parents.get(current) {
            // A cycle cannot be stored (updates refuse one), but never loop on bad data.
            if path.len() > self.parents.len() {
                break;
            }
            path.push(parent.clone());
            current = parent;
        }
        path.reverse();
        path
    }

    /// `slug` and every category below it.
    pub fn subtree(&self, slug: &str) -> Vec<String> {
        self.parents
            .keys()
            .filter(|candidate| self.path(candidate).iter().any(|s| s == slug))
            .cloned()
            .collect()
    }
}

impl CategoryRow {
    pub fn into_api(self, tree: &CategoryTree) -> ApiResult<Category> {
        let cpv_codes = serde_json::from_str(&self.cpv_codes)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored cpv_codes of '{}': {e}", self.slug)))?;
        Ok(Category {
            path: tree.path(&self.slug),
            slug: self.slug,
            name: self.name,
            parent: self.parent_slug,
            description: self.description,
            cpv_codes,
            joint_with_fire: self.joint_with_fire,
            created_at: clock::utc(self.created_at),
            updated_at: clock::utc(self.updated_at),
        })
    }
}

/// A new category.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"slug": "stab-vests", "name": "Stab vests", "parent": "body-armour", "description": "Covert and overt stab-resistant vests", "cpv_codes": ["35811000-1"], "joint_with_fire": false}))]
pub struct NewCategory {
    #[schema(min_length = 2, max_length = 64, pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: String,
    #[schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")]
    pub name: String,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub description: String,
    #[serde(default)]
    #[schema(value_type = Vec<CpvCode>)]
    pub cpv_codes: Vec<String>,
    #[serde(default)]
    pub joint_with_fire: bool,
}

/// Changes to a category; absent fields stay as they are. `parent: null` moves it to the top.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"joint_with_fire": true}))]
pub struct CategoryChanges {
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(nullable = false, min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub parent: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(nullable = false, max_length = 4000)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(value_type = Vec<CpvCode>)]
    pub cpv_codes: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::http::patch::not_null")]
    #[schema(nullable = false)]
    pub joint_with_fire: Option<bool>,
}

/// A Common Procurement Vocabulary code, e.g. `35811000-1`.
#[derive(ToSchema)]
#[schema(value_type = String, example = "35811000-1", pattern = r"^[0-9]{8}-[0-9]$")]
#[allow(dead_code)]
pub struct CpvCode(String);

#[derive(AsChangeset)]
#[diesel(table_name = categories)]
pub struct CategoryChangeset {
    pub name: Option<String>,
    pub parent_slug: Option<Option<String>>,
    pub description: Option<String>,
    pub cpv_codes: Option<String>,
    pub joint_with_fire: Option<bool>,
}

fn check_cpv_codes(checks: &mut Checks, codes: &[String]) {
    for (i, code) in codes.iter().enumerate() {
        let bytes = code.as_bytes();
        let ok = bytes.len() == 10
            && bytes[..8].iter().all(u8::is_ascii_digit)
            && bytes[8] == b'-'
            && bytes[9].is_ascii_digit();
        checks.check(ok, format!("cpv_codes[{i}]"), "must be a CPV code such as `35811000-1`");
    }
}

impl NewCategory {
    pub fn validate(&self, tree: &CategoryTree) -> ApiResult<()> {
        let mut checks = Checks::new();
        checks.slug("slug", &self.slug);
        checks.text("name", &self.name, 200);
        checks.check(
            self.description.chars().count() <= 4000,
            "description",
            "must be at most 4000 characters",
        );
        check_cpv_codes(&mut checks, &self.cpv_codes);
        if let Some(parent) = &self.parent {
            checks.check(tree.contains(parent), "parent", format!("no category '{parent}'"));
        }
        checks.finish()
    }

    pub fn into_row(self) -> CategoryRow {
        let now = clock::now();
        CategoryRow {
            slug: self.slug,
            name: self.name.trim().to_owned(),
            parent_slug: self.parent,
            description: self.description,
            cpv_codes: serde_json::to_string(&self.cpv_codes).expect("strings serialise"),
            joint_with_fire: self.joint_with_fire,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }
}

impl CategoryChanges {
    pub fn validate(&self, slug: &str, tree: &CategoryTree) -> ApiResult<()> {
        let mut checks = Checks::new();
        checks.optional_text("name", self.name.as_deref(), 200);
        if let Some(description) = &self.description {
            checks.check(
                description.chars().count() <= 4000,
                "description",
                "must be at most 4000 characters",
            );
        }
        if let Some(codes) = &self.cpv_codes {
            check_cpv_codes(&mut checks, codes);
        }
        if let Some(Some(parent)) = &self.parent {
            if !tree.contains(parent) {
                checks.fail("parent", format!("no category '{parent}'"));
            } else if tree.path(parent).iter().any(|s| s == slug) {
                checks.fail("parent", "would make the category its own ancestor");
            }
        }
        checks.finish()
    }

    pub fn into_changeset(self) -> CategoryChangeset {
        CategoryChangeset {
            name: self.name.map(|n| n.trim().to_owned()),
            parent_slug: self.parent,
            description: self.description,
            cpv_codes: self
                .cpv_codes
                .map(|codes| serde_json::to_string(&codes).expect("strings serialise")),
            joint_with_fire: self.joint_with_fire,
        }
    }
}

/// Filters for the category list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CategoryFilter {
    /// Only the direct children of this category.
    pub parent: Option<String>,
    /// Only top-level categories (`true`) or only sub-categories (`false`).
    pub top_level: Option<bool>,
    pub joint_with_fire: Option<bool>,
    /// Free text, matched against name and description.
    pub q: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}
