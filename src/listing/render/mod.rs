//! Pure renderers of the [`Listing`](crate::listing::model::Listing): HTML pages, Markdown,
//! JSON documents and SVG badges.

pub mod common;
pub mod html;
pub mod json;
pub mod markdown;
pub mod svg;
