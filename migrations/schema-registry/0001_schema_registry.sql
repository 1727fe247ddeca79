-- Schema registry store: the local stand-in for a Confluent Schema Registry.
--
-- A schema is stored once (table `schemas`) and gets a global id from a sequence; subjects point
-- at schemas through numbered versions (table `subject_versions`). Compatibility levels live in
-- `global_config` (one row) and `subject_config` (one row per subject that overrides it).

-- global schema ids, as the confluent wire format carries them (a signed 32-bit integer).
create sequence schema_ids as integer start with 1 minvalue 1;

-- one row per distinct schema. two submissions whose canonical forms are equal share a row and
-- therefore an id; `schema_text` keeps the text exactly as it was first registered.
create table schemas (
    id              integer     not null default nextval('schema_ids'),
    schema_type     text        not null default 'AVRO',
    -- sha-256 of `canonical_form`; the dedup key.
    fingerprint     bytea       not null,
    canonical_form  text        not null,
    schema_text     text        not null,
    created_at      timestamptz not null default now(),
    constraint schemas_pkey primary key (id),
    -- concurrent registrations of the same schema race on this constraint; the loser reads
    -- the winner's row back instead of allocating a second id.
    constraint schemas_fingerprint_key unique (fingerprint),
    constraint schemas_schema_type_check check (schema_type in ('AVRO')),
    constraint schemas_fingerprint_length_check check (octet_length(fingerprint) = 32)
);

alter sequence schema_ids owned by schemas.id;

-- the versions of each subject. a soft delete only sets `deleted`; a permanent delete removes
-- the row. version numbers are never reused while a row for them exists.
create table subject_versions (
    subject        text        not null,
    version        integer     not null,
    schema_id      integer     not null,
    deleted        boolean     not null default false,
    registered_at  timestamptz not null default now(),
    constraint subject_versions_pkey primary key (subject, version),
    constraint subject_versions_schema_id_fkey foreign key (schema_id) references schemas (id),
    constraint subject_versions_version_check check (version >= 1),
    constraint subject_versions_subject_check check (length(subject) between 1 and 1000)
);

-- a schema is live at most once per subject (registering it again returns the existing version).
create unique index subject_versions_live_schema_key
    on subject_versions (subject, schema_id)
    where not deleted;

-- "which subjects/versions use schema id n" (get /schemas/ids/{id}/versions).
create index subject_versions_schema_id_idx on subject_versions (schema_id);

-- the global compatibility level: exactly one row, seeded with confluent's default.
create table global_config (
    singleton            boolean not null default true,
    compatibility_level  text    not null,
    constraint global_config_pkey primary key (singleton),
    constraint global_config_singleton_check check (singleton),
    constraint global_config_level_check check (compatibility_level in (
        'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE',
        'FULL', 'FULL_TRANSITIVE', 'NONE'))
);

insert into global_config (singleton, compatibility_level) values (true, 'BACKWARD');

-- per-subject overrides of the compatibility level (a subject may be configured before it
-- has any version, as in confluent).
create table subject_config (
    subject              text        not null,
    compatibility_level  text        not null,
    updated_at           timestamptz not null default now(),
    constraint subject_config_pkey primary key (subject),
    constraint subject_config_level_check check (compatibility_level in (
        'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE',
        'FULL', 'FULL_TRANSITIVE', 'NONE'))
);
