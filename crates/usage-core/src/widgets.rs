//! What each view's widgets show: the groupings a live source that answers per widget is asked
//! for, and the latencies it counts. It belongs with the views ([`crate::view`]), not with any
//! one source.

use crate::dimension::{Dimension, Grouping, distinct};
use crate::view::View;

/// What a view's widgets show, each a grouping that [`crate::clickhouse::usage_parts`] makes a query of its own
/// unless another holds it: every view's KPI tiles and status codes (status codes only); the Today view's one dimension (clients, or URL templates
/// with their methods); every other view's clients (the clients table, the shares, the chosen
/// clients' lines, the misbehaving clients) and URL templates (the chosen templates, the top
/// URLs), and besides them the Clients view's clients through the chosen URL templates (their
/// lines and bars, the URLs per client), the overview's as well with each URL's method (its
/// records export has them), the URLs view's templates with their methods, and Explore's own
/// dimension. Each answer holds only what its widgets show: Explore by IP asks for IPs per
/// bucket and status, not for every client, URL, method and IP together.
pub fn view_groupings(view: View, by: Dimension) -> Vec<Grouping> {
    let with_status = |dimensions: &[Dimension]| Grouping::of(dimensions).with(Dimension::Status);
    let mut groupings = vec![with_status(&[])];
    match view {
        // As the Today view reads `by`: URL templates, or else clients.
        View::Today if by == Dimension::Template => {
            groupings.push(with_status(&[Dimension::Template, Dimension::Method]))
        }
        View::Today => groupings.push(with_status(&[Dimension::Client])),
        _ => groupings.extend([with_status(&[Dimension::Client]), with_status(&[Dimension::Template])]),
    }
    match view {
        View::Overview => groupings.push(with_status(&[
            Dimension::Client,
            Dimension::Template,
            Dimension::Method,
        ])),
        View::Clients => groupings.push(with_status(&[Dimension::Client, Dimension::Template])),
        View::Urls => groupings.push(with_status(&[Dimension::Template, Dimension::Method])),
        View::Explore if by == Dimension::Template => {
            groupings.push(with_status(&[Dimension::Template, Dimension::Method]))
        }
        View::Explore => groupings.push(with_status(&[by])),
        View::Today => {}
    }
    distinct(groupings)
}

/// The latencies a view's widgets show: the dimension of its table with p50, p95 and p99 columns
/// (the URLs view's templates, Explore's own dimension), if it has one, and the dimension its
/// time chart is split by, whose p95 lines it draws with `metric=p95`.
pub fn latency_widgets(view: View, by: Dimension) -> (Option<Dimension>, Dimension) {
    match view {
        View::Urls => (Some(Dimension::Template), Dimension::Template),
        View::Explore => (Some(by), by),
        View::Today if by == Dimension::Template => (None, Dimension::Template),
        _ => (None, Dimension::Client),
    }
}
