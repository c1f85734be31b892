//! The public calls of [`crate::Engine`] beyond opening, settings, locations and the
//! sync, by area: one short method per call that checks `now`, takes the store's writer
//! or a reader, and runs the use case of the module beside this one.

mod alerts;
mod analytics;
mod delivery;
mod events;
mod feedback;
mod inbound;
mod pages;
mod policy;
mod screen;
mod webhooks;
