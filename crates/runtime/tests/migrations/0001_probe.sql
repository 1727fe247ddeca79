-- a table whose presence proves connect_and_migrate ran the migrations
create table probe (
    id bigint primary key,
    note text not null
);
