//! `/api/v1/tenants/{slug}/webhooks` (a tenant admin's) and `/api/v1/national/webhooks` (the
//! national team's).

use actix_web::{HttpResponse, delete, get, post, web};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use super::model::{Delivery, MAX_ACTIVE_SUBSCRIPTIONS, NewSubscription, Subscription, SubscriptionRow};
use super::signing;
use super::store::{self, Owner};
use crate::audit;
use crate::auth::{Principal, Role, TenantAccess, TenantScope};
use crate::clock;
use crate::db::DbConnection;
use crate::error::responses::{CreateErrors, ListErrors, ReadErrors};
use crate::error::{ApiError, ApiResult};
use crate::http::{JsonBody, Page, Paged, QueryParams};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1-200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Who may manage `owner`'s subscriptions: a tenant's admin (or a national admin) for a tenant;
/// national admins for the national team's. National viewers may read both.
/// Returns the tenant's scope for a tenant's subscriptions.
fn authorize(
    conn: &mut DbConnection,
    principal: &Principal,
    owner: &Owner,
    write: bool,
) -> ApiResult<Option<TenantScope>> {
    match owner {
        Owner::Tenant(slug) => {
            // National viewers read every tenant's data, subscriptions included; within a tenant,
            // only its admins see where its events go.
            let access = if !write && principal.has(Role::NationalViewer) {
                TenantAccess::Read
            } else {
                TenantAccess::Administer
            };
            Ok(Some(TenantScope::authorize(conn, principal, slug, access)?.0))
        }
        Owner::National if write => principal.require_national_admin().map(|()| None),
        Owner::National => principal.require_national().map(|()| None),
    }
}

/// The scheme, host and port of a webhook URL: what the audit trail keeps. Some receivers (chat
/// incoming webhooks) carry a secret in the path, and the audit trail is read widely and kept.
fn origin(url: &str) -> String {
    reqwest::Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default()
}

fn record(
    conn: &mut DbConnection,
    principal: &Principal,
    scope: Option<&TenantScope>,
    action: &str,
    id: &str,
    detail: serde_json::Value,
) -> ApiResult<()> {
    match scope {
        Some(scope) => audit::record_for_tenant(conn, principal, scope, action, "webhook_subscription", id, detail)?,
        None => audit::record(conn, principal, action, "webhook_subscription", id, detail)?,
    }
    Ok(())
}

async fn create(
    state: web::Data<AppState>,
    principal: Principal,
    owner: Owner,
    body: JsonBody<NewSubscription>,
) -> ApiResult<HttpResponse> {
    let allow_private_urls = state.allow_private_urls;
    let row = state
        .write(move |conn| {
            let scope = authorize(conn, &principal, &owner, true)?;
            let input = body.parse()?;
            input.check(allow_private_urls)?;
            if store::active_count(conn, &owner)? >= MAX_ACTIVE_SUBSCRIPTIONS {
                return Err(ApiError::conflict(
                    "too_many_subscriptions",
                    format!("at most {MAX_ACTIVE_SUBSCRIPTIONS} active subscriptions; unsubscribe one first"),
                ));
            }
            let now = clock::now();
            let row = SubscriptionRow {
                id: clock::new_id(),
                tenant_slug: owner.scope().to_owned(),
                url: input.url.trim().to_owned(),
                secret: signing::new_secret(),
                events: serde_json::to_string(&input.events).map_err(|e| ApiError::Internal(e.into()))?,
                description: input.description,
                active: true,
                version: 1,
                created_by: principal.subject.clone(),
                created_at: now,
                updated_at: now,
            };
            store::insert(conn, &row)?;
            record(
                conn,
                &principal,
                scope.as_ref(),
                "webhook_subscription.created",
                &row.id,
                json!({"url": origin(&row.url), "events": row.events}),
            )?;
            Ok(row)
        })
        .await?;
    let location = match row.tenant() {
        Some(slug) => format!("/api/v1/tenants/{slug}/webhooks/{}", row.id),
        None => format!("/api/v1/national/webhooks/{}", row.id),
    };
    Ok(HttpResponse::Created()
        .insert_header(("Location", location))
        .json(row.into_api(true)?))
}

/// Subscribe to a tenant's events
///
/// Deliveries are POSTed as JSON, signed with HMAC-SHA256 (`Webhook-Signature: v1=<hex>` over
/// `{Webhook-Id}.{Webhook-Timestamp}.{body}`, with the secret returned here once), retried with
/// exponential backoff until the receiver answers 2xx, and recorded with their outcome. A tenant
/// hears its own events and national ones (frameworks, strategic-supplier risk). For the
/// tenant's `tenant_admin` or a `national_admin`.
#[utoipa::path(
    tag = "Webhooks",
    params(("slug" = String, Path, description = "The tenant's slug")),
    request_body = NewSubscription,
    responses(
        (status = 201, description = "Subscribed; `secret` is shown only now", body = Subscription, headers(("Location" = String))),
        CreateErrors,
    ),
    security(("bearer" = []))
)]
#[post("/tenants/{slug}/webhooks")]
pub async fn create_tenant_subscription(
    state: web::Data<AppState>,
    principal: Principal,
    slug: web::Path<String>,
    body: JsonBody<NewSubscription>,
) -> ApiResult<HttpResponse> {
    create(state, principal, Owner::Tenant(slug.into_inner()), body).await
}

/// Subscribe to every event (national team)
#[utoipa::path(
    tag = "Webhooks",
    request_body = NewSubscription,
    responses(
        (status = 201, description = "Subscribed; `secret` is shown only now", body = Subscription, headers(("Location" = String))),
        CreateErrors,
    ),
    security(("bearer" = []))
)]
#[post("/national/webhooks")]
pub async fn create_national_subscription(
    state: web::Data<AppState>,
    principal: Principal,
    body: JsonBody<NewSubscription>,
) -> ApiResult<HttpResponse> {
    create(state, principal, Owner::National, body).await
}

async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    owner: Owner,
    params: QueryParams<PageParams>,
) -> ApiResult<web::Json<Paged<Subscription>>> {
    let (rows, page) = state
        .db(move |conn| {
            authorize(conn, &principal, &owner, false)?;
            let params = params.parse()?;
            let page = Page::new(params.limit, params.cursor.as_deref())?;
            Ok((store::list(conn, &owner, &page)?, page))
        })
        .await?;
    let paged = Paged::from_rows(rows, &page, |row| &row.id);
    Ok(web::Json(paged.try_map(|row| row.into_api(false))?))
}

/// List a tenant's webhook subscriptions
#[utoipa::path(
    tag = "Webhooks",
    params(("slug" = String, Path, description = "The tenant's slug"), PageParams),
    responses((status = 200, description = "A page of subscriptions", body = Paged<Subscription>), ListErrors),
    security(("bearer" = []))
)]
#[get("/tenants/{slug}/webhooks")]
pub async fn list_tenant_subscriptions(
    state: web::Data<AppState>,
    principal: Principal,
    slug: web::Path<String>,
    params: QueryParams<PageParams>,
) -> ApiResult<web::Json<Paged<Subscription>>> {
    list(state, principal, Owner::Tenant(slug.into_inner()), params).await
}

/// List the national team's webhook subscriptions
#[utoipa::path(
    tag = "Webhooks",
    params(PageParams),
    responses((status = 200, description = "A page of subscriptions", body = Paged<Subscription>), ListErrors),
    security(("bearer" = []))
)]
#[get("/national/webhooks")]
pub async fn list_national_subscriptions(
    state: web::Data<AppState>,
    principal: Principal,
    params: QueryParams<PageParams>,
) -> ApiResult<web::Json<Paged<Subscription>>> {
    list(state, principal, Owner::National, params).await
}

async fn get_one(
    state: web::Data<AppState>,
    principal: Principal,
    owner: Owner,
    id: String,
) -> ApiResult<web::Json<Subscription>> {
    let row = state
        .db(move |conn| {
            authorize(conn, &principal, &owner, false)?;
            store::get(conn, &owner, &id)
        })
        .await?;
    Ok(web::Json(row.into_api(false)?))
}

/// Get a tenant's webhook subscription
#[utoipa::path(
    tag = "Webhooks",
    params(("slug" = String, Path, description = "The tenant's slug"), ("id" = String, Path, description = "The subscription's id")),
    responses((status = 200, description = "The subscription (without its secret)", body = Subscription), ReadErrors),
    security(("bearer" = []))
)]
#[get("/tenants/{slug}/webhooks/{id}")]
pub async fn get_tenant_subscription(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<Subscription>> {
    let (slug, id) = path.into_inner();
    get_one(state, principal, Owner::Tenant(slug), id).await
}

/// Get a national webhook subscription
#[utoipa::path(
    tag = "Webhooks",
    params(("id" = String, Path, description = "The subscription's id")),
    responses((status = 200, description = "The subscription (without its secret)", body = Subscription), ReadErrors),
    security(("bearer" = []))
)]
#[get("/national/webhooks/{id}")]
pub async fn get_national_subscription(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> ApiResult<web::Json<Subscription>> {
    get_one(state, principal, Owner::National, id.into_inner()).await
}

async fn unsubscribe(
    state: web::Data<AppState>,
    principal: Principal,
    owner: Owner,
    id: String,
) -> ApiResult<HttpResponse> {
    state
        .write(move |conn| {
            let scope = authorize(conn, &principal, &owner, true)?;
            let row = store::deactivate(conn, &owner, &id)?;
            record(
                conn,
                &principal,
                scope.as_ref(),
                "webhook_subscription.deactivated",
                &row.id,
                json!({"url": origin(&row.url)}),
            )?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Unsubscribe (tenant)
///
/// No more deliveries; the delivery history is kept.
#[utoipa::path(
    tag = "Webhooks",
    params(("slug" = String, Path, description = "The tenant's slug"), ("id" = String, Path, description = "The subscription's id")),
    responses((status = 204, description = "Unsubscribed"), ReadErrors),
    security(("bearer" = []))
)]
#[delete("/tenants/{slug}/webhooks/{id}")]
pub async fn delete_tenant_subscription(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (slug, id) = path.into_inner();
    unsubscribe(state, principal, Owner::Tenant(slug), id).await
}

/// Unsubscribe (national team)
#[utoipa::path(
    tag = "Webhooks",
    params(("id" = String, Path, description = "The subscription's id")),
    responses((status = 204, description = "Unsubscribed"), ReadErrors),
    security(("bearer" = []))
)]
#[delete("/national/webhooks/{id}")]
pub async fn delete_national_subscription(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    unsubscribe(state, principal, Owner::National, id.into_inner()).await
}

async fn deliveries(
    state: web::Data<AppState>,
    principal: Principal,
    owner: Owner,
    id: String,
    params: QueryParams<PageParams>,
) -> ApiResult<web::Json<Paged<Delivery>>> {
    let (rows, page) = state
        .db(move |conn| {
            authorize(conn, &principal, &owner, false)?;
            store::get(conn, &owner, &id)?;
            let params = params.parse()?;
            let page = Page::new(params.limit, params.cursor.as_deref())?;
            Ok((store::deliveries(conn, &owner, &id, &page)?, page))
        })
        .await?;
    let paged = Paged::from_rows(rows, &page, |row| &row.id);
    Ok(web::Json(paged.try_map(|row| row.into_api())?))
}

/// A tenant subscription's deliveries and their outcomes
#[utoipa::path(
    tag = "Webhooks",
    params(("slug" = String, Path, description = "The tenant's slug"), ("id" = String, Path, description = "The subscription's id"), PageParams),
    responses((status = 200, description = "A page of deliveries", body = Paged<Delivery>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/tenants/{slug}/webhooks/{id}/deliveries")]
pub async fn list_tenant_deliveries(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
    params: QueryParams<PageParams>,
) -> ApiResult<web::Json<Paged<Delivery>>> {
    let (slug, id) = path.into_inner();
    deliveries(state, principal, Owner::Tenant(slug), id, params).await
}

/// A national subscription's deliveries and their outcomes
#[utoipa::path(
    tag = "Webhooks",
    params(("id" = String, Path, description = "The subscription's id"), PageParams),
    responses((status = 200, description = "A page of deliveries", body = Paged<Delivery>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/national/webhooks/{id}/deliveries")]
pub async fn list_national_deliveries(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    params: QueryParams<PageParams>,
) -> ApiResult<web::Json<Paged<Delivery>>> {
    deliveries(state, principal, Owner::National, id.into_inner(), params).await
}
