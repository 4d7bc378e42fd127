//! The département's tools: many kiosks' exports merged into one checked data package
//! ([`merge`]), the report of a package ([`report`]) and the load of a package into a database
//! ([`sql`]). Nothing of a package is used before all of it has been checked, and every tool
//! reads each file of a package once ([`inputs`]).

pub mod inputs;
pub mod merge;
pub mod merge_schema;
pub mod merge_write;
pub mod report;
pub mod report_acc;
pub mod report_html;
pub mod report_tables;
pub mod report_xlsx;
pub mod secrecy;
pub mod sql;
