//! The portable schema, written by hand for both backends (see migrations/).

diesel::table! {
    organizations (id) {
        id -> Text,
        kind -> Text,
        name -> Text,
        credit_code -> Nullable<Text>,
        region_code -> Text,
        license_number -> Nullable<Text>,
        license_waste_codes -> Nullable<Text>,
        license_valid_until -> Nullable<Text>,
        created_at -> Text,
        contact -> Nullable<Text>,
    }
}

diesel::table! {
    licences (id) {
        id -> Text,
        organization_id -> Text,
        number -> Text,
        waste_codes -> Text,
        valid_from -> Nullable<Text>,
        valid_until -> Text,
        recorded_by -> Text,
        recorded_at -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        organization_id -> Text,
        name -> Text,
        roles -> Text,
        trained_until -> Nullable<Text>,
        token_hash -> Text,
        created_at -> Text,
        login -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        pin_hash -> Nullable<Text>,
        pin_set_at -> Nullable<Text>,
        trained_until_set_by -> Nullable<Text>,
        trained_until_set_at -> Nullable<Text>,
        active -> Bool,
    }
}

diesel::table! {
    pin_failures (id) {
        id -> Text,
        user_id -> Text,
        at -> Text,
    }
}

diesel::table! {
    attempt_counters (key) {
        key -> Text,
        window_start -> Text,
        count -> Integer,
    }
}

diesel::table! {
    signin_links (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        created_at -> Text,
        expires_at -> Text,
        used_at -> Nullable<Text>,
    }
}

diesel::table! {
    web_sessions (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        csrf -> Text,
        created_at -> Text,
        last_seen_at -> Text,
    }
}

diesel::table! {
    contracts (id) {
        id -> Text,
        shipper_id -> Text,
        disposal_firm_id -> Text,
        valid_from -> Text,
        valid_until -> Text,
        waste_codes -> Text,
        created_at -> Text,
        recorded_by -> Nullable<Text>,
        recorded_for -> Nullable<Text>,
        confirmed_by -> Nullable<Text>,
        confirmed_at -> Nullable<Text>,
        ended_on -> Nullable<Text>,
        ended_by -> Nullable<Text>,
    }
}

diesel::table! {
    containers (id) {
        id -> Text,
        organization_id -> Text,
        lab -> Text,
        contact -> Text,
        capacity_l -> Text,
        material -> Text,
        status -> Text,
        stream -> Nullable<Text>,
        filled_l -> Text,
        holds_liquid -> Bool,
        code -> Nullable<Text>,
        hazards -> Text,
        started_on -> Nullable<Text>,
        digital_id -> Nullable<Text>,
        additions_count -> Integer,
        contents -> Text,
        created_by -> Text,
        created_at -> Text,
        sealed_at -> Nullable<Text>,
        custodian_id -> Nullable<Text>,
        clock_started_on -> Nullable<Text>,
        site_id -> Nullable<Text>,
        zone -> Nullable<Text>,
    }
}

diesel::table! {
    additions (id) {
        id -> Text,
        container_id -> Text,
        seq -> Integer,
        waste -> Text,
        classification -> Text,
        substances -> Text,
        quantity -> Text,
        unit -> Text,
        litres -> Text,
        added_by -> Text,
        added_at -> Text,
    }
}

diesel::table! {
    events (aggregate, seq) {
        aggregate -> Text,
        seq -> BigInt,
        kind -> Text,
        actor -> Text,
        at -> Text,
        payload -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    chain_heads (aggregate) {
        aggregate -> Text,
        count -> BigInt,
        last_hash -> Text,
        anchor -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> Text,
        key -> Text,
        request_hash -> Text,
        status -> Integer,
        body -> Text,
        created_at -> Text,
    }
}

diesel::table! {
    pickups (id) {
        id -> Text,
        station_id -> Text,
        school_id -> Text,
        picked_by -> Text,
        picked_at -> Text,
        total_gross_kg -> Text,
        request_id -> Nullable<Text>,
        confirmed_by -> Nullable<Text>,
    }
}

diesel::table! {
    pickup_refusals (pickup_id, container_id) {
        pickup_id -> Text,
        container_id -> Text,
        reason -> Text,
    }
}

diesel::table! {
    pickup_requests (id) {
        id -> Text,
        school_id -> Text,
        state -> Text,
        version -> Integer,
        requested_by -> Text,
        requested_at -> Text,
        preferred_from -> Text,
        preferred_until -> Text,
        contact -> Text,
        note -> Nullable<Text>,
        station_id -> Nullable<Text>,
        slot_from -> Nullable<Text>,
        slot_until -> Nullable<Text>,
        scheduled_at -> Nullable<Text>,
        decline_reason -> Nullable<Text>,
        declined_at -> Nullable<Text>,
        cancelled_at -> Nullable<Text>,
        pickup_id -> Nullable<Text>,
        collected_at -> Nullable<Text>,
        updated_at -> Text,
    }
}

diesel::table! {
    pickup_request_items (request_id, container_id) {
        request_id -> Text,
        container_id -> Text,
    }
}

diesel::table! {
    pickup_lines (container_id) {
        container_id -> Text,
        pickup_id -> Text,
        gross_weight_kg -> Text,
    }
}

diesel::table! {
    manifests (id) {
        id -> Text,
        number -> Text,
        shipper_id -> Text,
        carrier_id -> Text,
        receiver_id -> Text,
        status -> Text,
        acceptance -> Nullable<Text>,
        version -> Integer,
        created_by -> Text,
        created_at -> Text,
        submitted_at -> Nullable<Text>,
        dispatched_at -> Nullable<Text>,
        delivered_on -> Nullable<Text>,
        receipt_deadline -> Nullable<Text>,
        received_at -> Nullable<Text>,
        received_late -> Nullable<Bool>,
        disposal_method -> Nullable<Text>,
        disposed_at -> Nullable<Text>,
        cancelled_at -> Nullable<Text>,
        vehicle_plate -> Nullable<Text>,
        transport_permit_no -> Nullable<Text>,
    }
}

diesel::table! {
    manifest_lines (manifest_id, container_id) {
        manifest_id -> Text,
        container_id -> Text,
        code -> Text,
        shipped_weight_kg -> Text,
        received_weight_kg -> Nullable<Text>,
        accepted -> Nullable<Bool>,
        reason -> Nullable<Text>,
        discrepancy -> Nullable<Bool>,
    }
}

diesel::table! {
    paper_entries (manifest_id) {
        manifest_id -> Text,
        entered_at -> Text,
        entered_by -> Text,
        completed_on -> Text,
        entry_deadline -> Text,
        late -> Bool,
    }
}

diesel::table! {
    storage_sites (id) {
        id -> Text,
        organization_id -> Text,
        kind -> Text,
        name -> Text,
        location -> Text,
        containment_l -> Nullable<Text>,
        responsible -> Text,
        contact -> Text,
        facility_code -> Text,
        zones -> Text,
        created_by -> Text,
        created_at -> Text,
    }
}

diesel::table! {
    site_inspections (id) {
        id -> Text,
        site_id -> Text,
        inspected_on -> Text,
        inspector -> Text,
        items -> Text,
        recorded_by -> Text,
        recorded_at -> Text,
    }
}

diesel::table! {
    site_findings (id) {
        id -> Text,
        inspection_id -> Text,
        site_id -> Text,
        item -> Text,
        description -> Text,
        clause -> Text,
        followed_up_on -> Nullable<Text>,
        follow_up_by -> Nullable<Text>,
        follow_up_action -> Nullable<Text>,
        followed_up_at -> Nullable<Text>,
    }
}

diesel::table! {
    site_signs (id) {
        id -> Text,
        site_id -> Text,
        sign -> Text,
        zone -> Nullable<Text>,
        digest -> Text,
        printed_by -> Text,
        printed_at -> Text,
    }
}

diesel::joinable!(users -> organizations (organization_id));
diesel::joinable!(containers -> organizations (organization_id));
diesel::joinable!(additions -> containers (container_id));
diesel::joinable!(manifest_lines -> manifests (manifest_id));
diesel::joinable!(signin_links -> users (user_id));
diesel::joinable!(web_sessions -> users (user_id));
diesel::joinable!(pickup_request_items -> pickup_requests (request_id));
diesel::joinable!(pickup_lines -> pickups (pickup_id));
diesel::joinable!(pickup_lines -> containers (container_id));
diesel::joinable!(licences -> organizations (organization_id));
diesel::allow_tables_to_appear_in_same_query!(
    organizations,
    licences,
    users,
    contracts,
    containers,
    additions,
    events,
    idempotency_keys,
    pickups,
    pickup_lines,
    manifests,
    manifest_lines,
    paper_entries,
    storage_sites,
    site_inspections,
    site_findings,
    site_signs,
    signin_links,
    web_sessions,
    pin_failures,
    pickup_refusals,
    pickup_requests,
    pickup_request_items
);

diesel::table! {
    road_links (token_hash) {
        token_hash -> Text,
        manifest_id -> Text,
        created_by -> Text,
        created_at -> Text,
        expires_at -> Text,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> Text,
        organization_id -> Text,
        url -> Text,
        events -> Text,
        secret -> Text,
        created_by -> Text,
        created_at -> Text,
        deleted_at -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_events (id) {
        id -> Text,
        event_type -> Text,
        aggregate -> Text,
        position -> BigInt,
        occurred_at -> Text,
        body -> Text,
        dedup_key -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        subscription_id -> Text,
        event_id -> Text,
        aggregate -> Text,
        position -> BigInt,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Text,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Text>,
        created_at -> Text,
    }
}

diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));
diesel::joinable!(webhook_deliveries -> webhook_events (event_id));
diesel::allow_tables_to_appear_in_same_query!(
    webhook_subscriptions,
    webhook_deliveries,
    webhook_events
);

// Corrections of a signed manifest (Transfer Measures Art.29).
diesel::table! {
    manifest_revisions (id) {
        id -> Text,
        manifest_id -> Text,
        seq -> Integer,
        status -> Text,
        reason -> Text,
        changes -> Text,
        needed -> Text,
        proposed_by -> Text,
        proposed_org -> Text,
        proposed_parties -> Text,
        proposed_at -> Text,
        closed_at -> Nullable<Text>,
    }
}

diesel::table! {
    revision_decisions (revision_id, party) {
        revision_id -> Text,
        party -> Text,
        approved -> Bool,
        user_id -> Text,
        organization_id -> Text,
        at -> Text,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    log_head (id) {
        id -> Integer,
        count -> BigInt,
        digest -> Text,
        anchor -> Nullable<Text>,
        epoch -> BigInt,
    }
}

diesel::table! {
    checkpoint_marks (aggregate, epoch) {
        epoch -> BigInt,
        aggregate -> Text,
        count -> BigInt,
    }
}

diesel::table! {
    bottles (id) {
        id -> Text,
        organization_id -> Text,
        code -> Text,
        substance_cas -> Text,
        substance_name -> Text,
        unit -> Text,
        received_amount -> Text,
        balance -> Text,
        supplier -> Text,
        lot -> Text,
        received_on -> Text,
        expires_on -> Nullable<Text>,
        opened_on -> Nullable<Text>,
        use_within_days -> Nullable<Integer>,
        site_id -> Text,
        cabinet -> Nullable<Text>,
        responsible_id -> Text,
        status -> Text,
        controlled -> Text,
        container_id -> Nullable<Text>,
        created_at -> Text,
    }
}

diesel::table! {
    stocktakes (id) {
        id -> Text,
        organization_id -> Text,
        site_id -> Text,
        started_by -> Text,
        started_at -> Text,
        closed_by -> Nullable<Text>,
        closed_at -> Nullable<Text>,
    }
}

diesel::table! {
    stocktake_counts (stocktake_id, bottle_id) {
        stocktake_id -> Text,
        bottle_id -> Text,
        counted -> Nullable<Text>,
        explanation -> Nullable<Text>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(stocktakes, stocktake_counts);
