//! `/api/v1/categories`

use actix_web::{HttpRequest, get, patch, post, web};
use serde_json::json;

use super::model::{Category, CategoryChanges, CategoryFilter, NewCategory};
use super::store;
use crate::audit;
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::error::responses::{CreateErrors, ListErrors, ReadErrors, UpdateErrors};
use crate::http::{ETagged, JsonBody, Page, Paged, QueryParams, required_if_match};
use crate::idempotency::IdempotencyKeyHeader;
use crate::state::AppState;

/// List categories
///
/// Ordered by slug. Each category carries its `path` from the top of the tree.
#[utoipa::path(
    tag = "Categories",
    params(CategoryFilter),
    responses((status = 200, description = "A page of categories", body = Paged<Category>), ListErrors),
    security(("bearer" = []))
)]
#[get("/categories")]
pub async fn list_categories(
    state: web::Data<AppState>,
    _principal: Principal,
    filter: QueryParams<CategoryFilter>,
) -> ApiResult<web::Json<Paged<Category>>> {
    let filter = filter.parse()?;
    let page = Page::new(filter.limit, filter.cursor.as_deref())?;
    let paged = state
        .db(move |conn| {
            let rows = store::list(conn, &filter, &page)?;
            let tree = store::tree(conn)?;
            let paged = Paged::from_rows(rows, &page, |row| &row.slug);
            let items = paged
                .items
                .into_iter()
                .map(|row| row.into_api(&tree))
                .collect::<ApiResult<_>>()?;
            Ok(Paged {
                items,
                next_cursor: paged.next_cursor,
            })
        })
        .await?;
    Ok(web::Json(paged))
}

/// Get a category
#[utoipa::path(
    tag = "Categories",
    params(("slug" = String, Path, description = "The category's slug", example = "body-armour")),
    responses((status = 200, description = "The category", body = Category, headers(("ETag" = String))), ReadErrors),
    security(("bearer" = []))
)]
#[get("/categories/{slug}")]
pub async fn get_category(
    state: web::Data<AppState>,
    _principal: Principal,
    slug: web::Path<String>,
) -> ApiResult<ETagged<Category>> {
    let slug = slug.into_inner();
    let (row, tree) = state
        .db(move |conn| Ok((store::get(conn, &slug)?, store::tree(conn)?)))
        .await?;
    Ok(ETagged::ok(row.version, row.into_api(&tree)?))
}

/// Create a category
///
/// For `national_admin`.
#[utoipa::path(
    tag = "Categories",
    params(IdempotencyKeyHeader),
    request_body = NewCategory,
    responses((status = 201, description = "Created", body = Category, headers(("Location" = String), ("ETag" = String))), CreateErrors),
    security(("bearer" = []))
)]
#[post("/categories")]
pub async fn create_category(
    state: web::Data<AppState>,
    principal: Principal,
    body: JsonBody<NewCategory>,
) -> ApiResult<ETagged<Category>> {
    principal.require_national_admin()?;
    let new = body.parse()?;
    let (row, tree) = state
        .write(move |conn| {
            new.validate(&store::tree(conn)?)?;
            let row = new.into_row();
            store::insert(conn, &row)?;
            audit::record(
                conn,
                &principal,
                "category.created",
                "category",
                &row.slug,
                json!({"name": row.name, "parent": row.parent_slug}),
            )?;
            Ok((row, store::tree(conn)?))
        })
        .await?;
    let location = format!("/api/v1/categories/{}", row.slug);
    Ok(ETagged::created(row.version, row.into_api(&tree)?, location))
}

/// Update a category
///
/// For `national_admin`; needs `If-Match`. Moving a category under one of its own descendants
/// is refused.
#[utoipa::path(
    tag = "Categories",
    params(
        ("slug" = String, Path, description = "The category's slug"),
        ("If-Match" = String, Header, pattern = r#"^"[0-9]+"$"#, description = "The ETag from the last read, e.g. `\"3\"`; `*` is not taken: an update names the version it changes"),
    ),
    request_body = CategoryChanges,
    responses((status = 200, description = "Updated", body = Category, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[patch("/categories/{slug}")]
pub async fn update_category(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    slug: web::Path<String>,
    body: JsonBody<CategoryChanges>,
) -> ApiResult<ETagged<Category>> {
    principal.require_national_admin()?;
    let expected = required_if_match(&req);
    let slug = slug.into_inner();
    let (row, tree) = state
        .write(move |conn| {
            store::get(conn, &slug)?;
            let (expected, changes) = (expected?, body.parse()?);
            changes.validate(&slug, &store::tree(conn)?)?;
            let detail =
                json!({"name": changes.name, "parent": changes.parent, "joint_with_fire": changes.joint_with_fire});
            let row = store::update(conn, &slug, expected, changes.into_changeset())?;
            audit::record(conn, &principal, "category.updated", "category", &slug, detail)?;
            Ok((row, store::tree(conn)?))
        })
        .await?;
    Ok(ETagged::ok(row.version, row.into_api(&tree)?))
}
