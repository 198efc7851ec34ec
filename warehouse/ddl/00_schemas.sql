-- The four layers of the warehouse: reference lists, the star, analysts' marts, the audit trail.
create schema if not exists ref;
create schema if not exists dw;
create schema if not exists mart;
create schema if not exists audit;
