//! The département's tools: many kiosks' exports merged into one checked data package
//! ([`merge`]), the report of a package ([`report`]) and the script that loads it into a database
//! ([`sql`]). Nothing of a package is used before all of it has been checked.

pub mod merge;
pub mod package;
pub mod pickup_merge;
pub mod reach;
pub mod report;
pub mod sql;
pub mod suppression;
