-- a table whose presence proves TestDatabase::create ran the migrations
create table widgets (
    id bigint primary key
);
