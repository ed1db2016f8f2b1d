//! Diesel table definitions, shared by SQLite and PostgreSQL.
//!
//! Only column types both backends have are used (Text, BigInt, Integer, Bool, Date, Timestamp),
//! so one query serves both. Keep in step with `migrations/{sqlite,postgres}`.
//!
//! On PostgreSQL every table that holds a tenant's data has `tenant_slug` first in its primary
//! key and in its foreign keys to other tenant tables, so it can be distributed by tenant
//! (docs/scaling.md); the keys declared here are what diesel's `find` uses and stay the columns
//! that identify a row on their own.

diesel::table! {
    tenants (slug) {
        slug -> Text,
        name -> Text,
        kind -> Text,
        region -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        area -> Nullable<Text>,
    }
}

diesel::table! {
    categories (slug) {
        slug -> Text,
        name -> Text,
        parent_slug -> Nullable<Text>,
        description -> Text,
        cpv_codes -> Text,
        joint_with_fire -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    suppliers (id) {
        id -> Text,
        name -> Text,
        companies_house_number -> Nullable<Text>,
        sme -> Bool,
        vcse -> Bool,
        regions -> Text,
        strategic -> Bool,
        contacts -> Text,
        evidence -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        based_in -> Nullable<Text>,
    }
}

diesel::table! {
    strategic_profiles (supplier_id) {
        supplier_id -> Text,
        risk_rating -> Nullable<Text>,
        modern_slavery_statement_url -> Nullable<Text>,
        modern_slavery_risk_tier -> Nullable<Text>,
        code_of_ethics_signed_on -> Nullable<Date>,
        contingency_plan_summary -> Nullable<Text>,
        exit_plan_summary -> Nullable<Text>,
        social_value_commitments -> Text,
    }
}

diesel::table! {
    supplier_risk_changes (id) {
        id -> Text,
        supplier_id -> Text,
        rating -> Text,
        previous_rating -> Nullable<Text>,
        reason -> Text,
        changed_by -> Text,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    supplier_kpi_scores (id) {
        id -> Text,
        supplier_id -> Text,
        period -> Text,
        name -> Text,
        score -> Integer,
        target -> Nullable<Integer>,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    frameworks (id) {
        id -> Text,
        reference -> Text,
        title -> Text,
        description -> Text,
        owning_body -> Text,
        category_slug -> Text,
        start_date -> Nullable<Date>,
        end_date -> Nullable<Date>,
        max_end_date -> Nullable<Date>,
        extension_options -> Nullable<Text>,
        max_value_pence -> Nullable<BigInt>,
        eligibility -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    lots (id) {
        id -> Text,
        framework_id -> Text,
        number -> Integer,
        title -> Text,
        description -> Text,
        direct_award -> Bool,
        further_competition -> Bool,
        min_value_pence -> Nullable<BigInt>,
        max_value_pence -> Nullable<BigInt>,
    }
}

diesel::table! {
    lot_suppliers (lot_id, supplier_id) {
        lot_id -> Text,
        supplier_id -> Text,
        status -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        occurred_at -> Timestamp,
        actor -> Text,
        tenant_slug -> Text,
        action -> Text,
        resource_type -> Text,
        resource_id -> Text,
        detail -> Text,
    }
}

diesel::table! {
    rule_plugins (id) {
        id -> Text,
        tenant_slug -> Text,
        version -> BigInt,
        sha256 -> Text,
        wasm -> Binary,
        size_bytes -> BigInt,
        name -> Text,
        plugin_version -> Text,
        interface_version -> Text,
        rules -> Text,
        fixtures_total -> Integer,
        fixtures_passed -> Integer,
        fixture_report -> Text,
        uploaded_by -> Text,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    active_rule_plugins (tenant_slug) {
        tenant_slug -> Text,
        plugin_id -> Text,
        activated_by -> Text,
        activated_at -> Timestamp,
    }
}

diesel::table! {
    procurements (id) {
        id -> Text,
        tenant_slug -> Text,
        reference -> Text,
        title -> Text,
        value_pence -> BigInt,
        vat -> Text,
        contract_type -> Text,
        category_slug -> Text,
        route -> Text,
        quotes -> Text,
        weight_price_bp -> Nullable<Integer>,
        weight_quality_bp -> Nullable<Integer>,
        weight_social_value_bp -> Nullable<Integer>,
        social_value_relevant -> Bool,
        framework_id -> Nullable<Text>,
        lot_number -> Nullable<Integer>,
        published -> Bool,
        market_engagement_evidence -> Nullable<Text>,
        last_outcome -> Nullable<Text>,
        version -> BigInt,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        act_procedure -> Nullable<Text>,
        direct_award -> Nullable<Text>,
        notices -> Text,
        conflicts_assessed -> Bool,
        kpis_set -> Integer,
        light_touch -> Bool,
        approvals -> Text,
        single_tender_justification -> Nullable<Text>,
    }
}

diesel::table! {
    rule_decisions (id) {
        id -> Text,
        tenant_slug -> Text,
        procurement_id -> Text,
        plugin_id -> Nullable<Text>,
        plugin_version -> Nullable<BigInt>,
        plugin_sha256 -> Nullable<Text>,
        replay_of -> Nullable<Text>,
        requested_by -> Text,
        requested_at -> Timestamp,
        input -> Text,
        decision -> Nullable<Text>,
        outcome -> Text,
        fuel_used -> BigInt,
        duration_micros -> BigInt,
        procurement_version -> Nullable<BigInt>,
        national_plugin_id -> Nullable<Text>,
        national_plugin_version -> Nullable<BigInt>,
        national_plugin_sha256 -> Nullable<Text>,
        national_decision -> Nullable<Text>,
    }
}

diesel::table! {
    national_rule_plugins (id) {
        id -> Text,
        version -> BigInt,
        sha256 -> Text,
        wasm -> Binary,
        size_bytes -> BigInt,
        name -> Text,
        plugin_version -> Text,
        interface_version -> Text,
        rules -> Text,
        fixtures_total -> Integer,
        fixtures_passed -> Integer,
        fixture_report -> Text,
        uploaded_by -> Text,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    active_national_rule_plugin (layer) {
        layer -> Text,
        plugin_id -> Text,
        activated_by -> Text,
        activated_at -> Timestamp,
    }
}

diesel::table! {
    imports (id) {
        id -> Text,
        tenant_slug -> Text,
        kind -> Text,
        sha256 -> Text,
        filename -> Nullable<Text>,
        status -> Text,
        rows_total -> BigInt,
        rows_written -> BigInt,
        rows_skipped -> BigInt,
        failure -> Nullable<Text>,
        started_by -> Text,
        started_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        owner -> Nullable<Text>,
        lease_expires_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    contracts (id) {
        id -> Text,
        tenant_slug -> Text,
        reference -> Text,
        title -> Text,
        supplier_id -> Nullable<Text>,
        supplier_name -> Text,
        supplier_locality -> Text,
        supplier_sme -> Bool,
        supplier_vcse -> Bool,
        category_slug -> Text,
        value_pence -> BigInt,
        start_date -> Date,
        end_date -> Date,
        extension_options -> Nullable<Text>,
        max_end_date -> Nullable<Date>,
        arrangement -> Text,
        framework_id -> Nullable<Text>,
        lot_number -> Nullable<Integer>,
        collaborative_partners -> Text,
        procurement_id -> Nullable<Text>,
        contract_manager -> Nullable<Text>,
        kpis -> Text,
        savings_pence -> BigInt,
        terminated_on -> Nullable<Date>,
        import_id -> Nullable<Text>,
        version -> BigInt,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    spend_lines (id) {
        id -> Text,
        tenant_slug -> Text,
        import_id -> Text,
        line_number -> BigInt,
        transaction_id -> Nullable<Text>,
        paid_on -> Date,
        supplier_id -> Nullable<Text>,
        supplier_name -> Text,
        supplier_locality -> Text,
        supplier_sme -> Bool,
        supplier_vcse -> Bool,
        category_slug -> Nullable<Text>,
        amount_pence -> BigInt,
        contract_id -> Nullable<Text>,
        expense_type -> Nullable<Text>,
    }
}

diesel::table! {
    spend_year_totals (tenant_slug, financial_year, contract_id, supplier_id, supplier_name, category_slug) {
        tenant_slug -> Text,
        financial_year -> Integer,
        contract_id -> Text,
        supplier_id -> Text,
        supplier_name -> Text,
        category_slug -> Text,
        amount_pence -> BigInt,
        lines -> BigInt,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> Text,
        tenant_slug -> Text,
        url -> Text,
        secret -> Text,
        events -> Text,
        description -> Nullable<Text>,
        active -> Bool,
        version -> BigInt,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        subscription_id -> Text,
        tenant_slug -> Text,
        event_id -> Text,
        event_type -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_attempt_at -> Nullable<Timestamp>,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_notices (tenant_slug, event_type, subject_id, occasion) {
        tenant_slug -> Text,
        event_type -> Text,
        subject_id -> Text,
        occasion -> Text,
        noticed_at -> Timestamp,
    }
}

diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));
diesel::joinable!(frameworks -> categories (category_slug));
diesel::joinable!(active_rule_plugins -> rule_plugins (plugin_id));
diesel::joinable!(active_national_rule_plugin -> national_rule_plugins (plugin_id));
diesel::joinable!(rule_decisions -> procurements (procurement_id));
diesel::joinable!(lots -> frameworks (framework_id));
diesel::joinable!(lot_suppliers -> lots (lot_id));
diesel::joinable!(lot_suppliers -> suppliers (supplier_id));
diesel::joinable!(strategic_profiles -> suppliers (supplier_id));
diesel::joinable!(supplier_risk_changes -> suppliers (supplier_id));
diesel::joinable!(supplier_kpi_scores -> suppliers (supplier_id));
diesel::joinable!(spend_lines -> contracts (contract_id));
diesel::joinable!(contracts -> frameworks (framework_id));

diesel::allow_tables_to_appear_in_same_query!(
    tenants,
    categories,
    suppliers,
    strategic_profiles,
    supplier_risk_changes,
    supplier_kpi_scores,
    frameworks,
    lots,
    lot_suppliers,
    audit_events,
    rule_plugins,
    active_rule_plugins,
    procurements,
    rule_decisions,
    national_rule_plugins,
    active_national_rule_plugin,
    imports,
    contracts,
    spend_lines,
    spend_year_totals,
    webhook_subscriptions,
    webhook_deliveries,
    webhook_notices,
);

diesel::table! {
    idempotency_records (tenant_slug, principal, idem_key) {
        tenant_slug -> Text,
        principal -> Text,
        idem_key -> Text,
        request_hash -> Text,
        status -> Nullable<Integer>,
        location -> Nullable<Text>,
        etag -> Nullable<Text>,
        content_type -> Nullable<Text>,
        body -> Nullable<Text>,
        created_at -> Timestamp,
        committed -> Bool,
    }
}
