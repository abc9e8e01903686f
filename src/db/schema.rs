//! Diesel table definitions, shared by the SQLite and PostgreSQL migrations.

diesel::table! {
    member_states (code) {
        code -> Text,
        alpha2 -> Text,
        m49 -> Text,
        name_en -> Text,
        name_es -> Text,
        name_fr -> Text,
        name_pt -> Text,
        subregion -> Text,
        membership_status -> Text,
        membership_since -> Nullable<Text>,
        membership_note -> Nullable<Text>,
        updated_at -> Text,
    }
}

diesel::table! {
    work_plans (code) {
        code -> Text,
        title -> Text,
        period_start -> Text,
        period_end -> Text,
        note -> Nullable<Text>,
        aims -> Text,
        principles -> Text,
        version -> Integer,
        created_at -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    work_plan_sections (work_plan, section_key) {
        work_plan -> Text,
        section_key -> Text,
        title -> Text,
        position -> Integer,
    }
}

diesel::table! {
    guidelines (work_plan, number) {
        work_plan -> Text,
        number -> Integer,
        section -> Text,
        text -> Text,
    }
}

diesel::table! {
    mandates (work_plan, number) {
        work_plan -> Text,
        number -> Integer,
        text -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        password_hash -> Text,
        role -> Text,
        member_state -> Nullable<Text>,
        active -> Bool,
        token_version -> Integer,
        version -> Integer,
        created_at -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        occurred_at -> Text,
        actor_id -> Nullable<Text>,
        actor_username -> Text,
        action -> Text,
        resource_type -> Text,
        resource_id -> Text,
        before -> Nullable<Text>,
        after -> Nullable<Text>,
    }
}

diesel::table! {
    national_authorities (id) {
        id -> Text,
        member_state -> Text,
        role -> Text,
        institution -> Text,
        unit -> Nullable<Text>,
        contact_name -> Nullable<Text>,
        position_title -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        address -> Nullable<Text>,
        website -> Nullable<Text>,
        languages -> Text,
        designated_on -> Nullable<Text>,
        active -> Bool,
        notes -> Nullable<Text>,
        version -> Integer,
        created_at -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    commitments (id) {
        id -> Text,
        member_state -> Text,
        work_plan -> Text,
        guideline_number -> Integer,
        status -> Text,
        lead_institution -> Nullable<Text>,
        actions -> Nullable<Text>,
        target_date -> Nullable<Text>,
        evidence_urls -> Text,
        budget_allocated -> Nullable<Double>,
        currency -> Nullable<Text>,
        version -> Integer,
        created_at -> Text,
        updated_at -> Text,
        deleted_at -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (user_id, idempotency_key) {
        user_id -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        status -> Integer,
        location -> Nullable<Text>,
        etag -> Nullable<Text>,
        body -> Text,
        created_at -> Text,
    }
}

diesel::table! {
    dimensions (code) {
        code -> Text,
        position -> Integer,
        updated_at -> Text,
    }
}

diesel::table! {
    dimension_codes (dimension, code) {
        dimension -> Text,
        code -> Text,
        position -> Integer,
    }
}

diesel::table! {
    indicators (code) {
        code -> Text,
        name -> Text,
        description -> Text,
        value_type -> Text,
        unit -> Nullable<Text>,
        periodicity -> Text,
        dimensions -> Text,
        guidelines -> Text,
        reference_list -> Text,
        version -> Integer,
        created_at -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    indicator_values (id) {
        id -> Text,
        indicator -> Text,
        member_state -> Text,
        period -> Text,
        disaggregation -> Text,
        value -> Nullable<Text>,
        flag -> Nullable<Text>,
        comment -> Nullable<Text>,
        source -> Nullable<Text>,
        reported_by -> Text,
        version -> Integer,
        created_at -> Text,
        updated_at -> Text,
        deleted_at -> Nullable<Text>,
        /// Generated from `disaggregation` (read-only), on PostgreSQL only.
        dim_sex -> Nullable<Text>,
        dim_age_group -> Nullable<Text>,
        dim_form_of_exploitation -> Nullable<Text>,
        dim_citizenship -> Nullable<Text>,
        dim_sector -> Nullable<Text>,
    }
}

diesel::table! {
    reporting_cycles (code) {
        code -> Text,
        work_plan -> Text,
        period_from -> Integer,
        period_to -> Integer,
        due_date -> Text,
        status -> Text,
        version -> Integer,
        created_at -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    submissions (cycle, member_state) {
        cycle -> Text,
        member_state -> Text,
        status -> Text,
        comment -> Nullable<Text>,
        version -> Integer,
        updated_at -> Text,
        updated_by -> Text,
    }
}

diesel::table! {
    training_events (id) {
        id -> Text,
        member_state -> Nullable<Text>,
        organizer -> Text,
        title -> Text,
        description -> Nullable<Text>,
        start_date -> Text,
        end_date -> Text,
        city -> Nullable<Text>,
        modality -> Text,
        participants_total -> Nullable<Integer>,
        participants_women -> Nullable<Integer>,
        participants_men -> Nullable<Integer>,
        partners -> Nullable<Text>,
        version -> Integer,
        created_at -> Text,
        updated_at -> Text,
        deleted_at -> Nullable<Text>,
    }
}

diesel::table! {
    training_event_audiences (event_id, audience) {
        event_id -> Text,
        audience -> Text,
    }
}

diesel::table! {
    training_event_guidelines (event_id, work_plan, guideline_number) {
        event_id -> Text,
        work_plan -> Text,
        guideline_number -> Integer,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    member_states,
    work_plans,
    work_plan_sections,
    guidelines,
    mandates,
    users,
    audit_events,
    national_authorities,
    commitments,
    idempotency_keys,
    dimensions,
    dimension_codes,
    indicators,
    indicator_values,
    reporting_cycles,
    submissions,
    training_events,
    training_event_audiences,
    training_event_guidelines,
);

diesel::table! {
    validation_rules (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        description -> Nullable<Text>,
        left_expr -> Text,
        operator -> Text,
        right_expr -> Text,
        importance -> Text,
        missing_value_strategy -> Text,
        version -> Integer,
        created_at -> Text,
        updated_at -> Text,
        deleted_at -> Nullable<Text>,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Text,
        url -> Text,
        events -> Text,
        secret -> Text,
        active -> Bool,
        description -> Nullable<Text>,
        starts_after -> BigInt,
        version -> Integer,
        created_at -> Text,
        updated_at -> Text,
        deleted_at -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        webhook_id -> Text,
        sequence -> BigInt,
        event_type -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Text>,
        lease -> Nullable<Text>,
        last_status_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        last_attempt_at -> Nullable<Text>,
        created_at -> Text,
    }
}

diesel::table! {
    webhook_cursor (name) {
        name -> Text,
        last_sequence -> BigInt,
    }
}

diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::allow_tables_to_appear_in_same_query!(webhooks, webhook_deliveries);
