//! Arrow routing and label placement.
//!
//! Forward arrows join consecutive steps: straight down within a column, else out of the
//! symbol's side, across at the row's middle and down into the next symbol's top (one right
//! angle). Across a page break they end in a connector at the bottom of the page and start
//! again from the connector with the same letter at the top of the next page.
//!
//! A "Tidak" loop goes from a decision up to its return step. Every candidate path of at most
//! three right-angled segments is tried (through the return step's bottom, through a free lane
//! or through the gap beside the symbols in a lane) and the shortest one is kept that passes
//! through no other symbol or connector, does not run along another arrow, and uses no port
//! that already carries an outgoing arrow. Short loops are routed first, so they get the
//! direct paths. A loop whose ends are on different pages is cut into two pieces that meet in
//! a pair of connectors in the connector rows at the page breaks.

use std::ops::Range;

use super::{
    symbol_size, text, Arrow, Columns, Connector, ConnectorFlow, FlowPage, Label, Point, RowKind,
    StepMeta, SymbolKind,
};
use crate::metrics::metrics;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Port {
    Top,
    Bottom,
    Left,
    Right,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Use {
    Free,
    In,
    Out,
}

#[derive(Clone, Debug)]
struct Node {
    center: Point,
    w: f64,
    h: f64,
    /// Height of the side ports (the middle for symbols, the square part for connectors).
    side_y: f64,
    ports: [Use; 4],
}

impl Node {
    fn port(&self, p: Port) -> Point {
        let c = self.center;
        match p {
            Port::Top => Point::new(c.x, c.y - self.h / 2.0),
            Port::Bottom => Point::new(c.x, c.y + self.h / 2.0),
            Port::Left => Point::new(c.x - self.w / 2.0, self.side_y),
            Port::Right => Point::new(c.x + self.w / 2.0, self.side_y),
        }
    }
    fn used(&self, p: Port) -> Use {
        self.ports[p as usize]
    }
    fn set(&mut self, p: Port, u: Use) {
        self.ports[p as usize] = u;
    }
    fn bbox(&self, grow: f64) -> Rect {
        Rect {
            l: self.center.x - self.w / 2.0 - grow,
            r: self.center.x + self.w / 2.0 + grow,
            t: self.center.y - self.h / 2.0 - grow,
            b: self.center.y + self.h / 2.0 + grow,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Rect {
    l: f64,
    r: f64,
    t: f64,
    b: f64,
}

impl Rect {
    fn overlaps(&self, o: &Rect) -> bool {
        self.l < o.r && o.l < self.r && self.t < o.b && o.t < self.b
    }
    fn of_segment(a: Point, b: Point, grow: f64) -> Rect {
        Rect {
            l: a.x.min(b.x) - grow,
            r: a.x.max(b.x) + grow,
            t: a.y.min(b.y) - grow,
            b: a.y.max(b.y) + grow,
        }
    }
}

/// A drawn segment, remembered so later arrows do not run along it.
#[derive(Clone, Copy, Debug)]
struct Seg {
    a: Point,
    b: Point,
    /// The node and port the arrow ends in: arrows into the same port may share lines.
    dest: (usize, Port),
}

/// Routing state of one page.
struct PageRouter {
    nodes: Vec<Node>,
    segs: Vec<Seg>,
    arrows: Vec<Arrow>,
    /// (arrow index, text) of labels to place once every arrow is known.
    labels: Vec<(usize, &'static str)>,
    connectors: Vec<(usize, Connector)>,
    /// Middle of the connector rows, when the page has them.
    top_row: Option<f64>,
    bottom_row: Option<f64>,
    /// x of the borders between (and around) the pelaksana columns.
    borders: Vec<f64>,
}

pub(crate) fn route(
    pages: &mut [FlowPage],
    steps: &[StepMeta],
    ranges: &[Range<usize>],
    columns: &Columns,
) {
    let page_of = |i: usize| ranges.iter().position(|r| r.contains(&i)).unwrap_or(0);
    let mut routers: Vec<PageRouter> = pages
        .iter()
        .map(|p| {
            let row_mid = |first: bool| {
                let row = if first { p.rows.first() } else { p.rows.last() };
                row.filter(|r| r.kind == RowKind::Connectors)
                    .map(|r| r.y + r.height / 2.0)
            };
            PageRouter {
                nodes: p
                    .symbols
                    .iter()
                    .map(|s| Node {
                        center: s.center,
                        w: s.width,
                        h: s.height,
                        side_y: s.center.y,
                        ports: [Use::Free; 4],
                    })
                    .collect(),
                segs: Vec::new(),
                arrows: Vec::new(),
                labels: Vec::new(),
                connectors: Vec::new(),
                top_row: row_mid(true),
                bottom_row: row_mid(false),
                borders: lane_borders(columns),
            }
        })
        .collect();
    let node_of = |i: usize| i - ranges[page_of(i)].start;
    let lane_x = |lane: usize| columns.lanes[lane.min(columns.lanes.len() - 1)].center();
    let decision = |i: usize| {
        let p = page_of(i);
        pages[p].symbols[node_of(i)].kind == SymbolKind::Decision
    };
    let mut letters = Letters::default();

    // Forward arrows.
    for i in 0..steps.len().saturating_sub(1) {
        let (p, q) = (page_of(i), page_of(i + 1));
        let (a, b) = (node_of(i), node_of(i + 1));
        if p == q {
            let r = &mut routers[p];
            let from = r.nodes[a].clone();
            let to = r.nodes[b].clone();
            let (path, exit) = if (from.center.x - to.center.x).abs() < 0.5 {
                (
                    vec![from.port(Port::Bottom), to.port(Port::Top)],
                    Port::Bottom,
                )
            } else {
                let side = if to.center.x > from.center.x {
                    Port::Right
                } else {
                    Port::Left
                };
                let s = from.port(side);
                (
                    vec![s, Point::new(to.center.x, s.y), to.port(Port::Top)],
                    side,
                )
            };
            let k = r.commit(path, (a, exit), (b, Port::Top));
            if decision(i) {
                r.labels.push((k, "Ya"));
            }
        } else {
            let letter = letters.next_letter();
            // Leave page p through a connector below the step, in its column.
            let r = &mut routers[p];
            let y = r
                .bottom_row
                .expect("a page that continues has a bottom connector row");
            let c = r.add_connector(
                &letter,
                ConnectorFlow::Out,
                Point::new(lane_x(steps[i].lane), y),
            );
            let path = vec![r.nodes[a].port(Port::Bottom), r.nodes[c].port(Port::Top)];
            let k = r.commit(path, (a, Port::Bottom), (c, Port::Top));
            if decision(i) {
                r.labels.push((k, "Ya"));
            }
            // Arrive on page q through a connector above the next step.
            let r = &mut routers[q];
            let y = r.top_row.expect("a continued page has a top connector row");
            let c = r.add_connector(
                &letter,
                ConnectorFlow::In,
                Point::new(lane_x(steps[i + 1].lane), y),
            );
            let path = vec![r.nodes[c].port(Port::Bottom), r.nodes[b].port(Port::Top)];
            r.commit(path, (c, Port::Bottom), (b, Port::Top));
        }
    }

    // "Tidak" loops, shortest first.
    let mut loops: Vec<(usize, usize)> = steps
        .iter()
        .enumerate()
        .filter_map(|(d, s)| s.on_return.map(|t| (t, d)))
        .collect();
    loops.sort_by_key(|&(t, d)| (d - t, d));
    let channels = channels(columns, pages);
    for (t, d) in loops {
        let (pt, pd) = (page_of(t), page_of(d));
        let (nt, nd) = (node_of(t), node_of(d));
        if pt == pd {
            let r = &mut routers[pd];
            let (path, exit, entry) = r
                .best_up(nd, nt, &channels, true)
                .map(|(route, _)| route)
                .unwrap_or_else(|| r.fallback_up(nd, nt));
            let k = r.commit(path, (nd, exit), (nt, entry));
            r.labels.push((k, "Tidak"));
            continue;
        }
        let letter = letters.next_letter();
        // On the decision's page the loop goes up into a connector in the top connector row.
        let r = &mut routers[pd];
        let y = r.top_row.expect("a continued page has a top connector row");
        let (c, path, exit, entry) = r.connect_up(
            &letter,
            ConnectorFlow::Out,
            y,
            columns,
            |r, c| r.best_up(nd, c, &channels, true),
            |r, c| r.fallback_up(nd, c),
        );
        let k = r.commit(path, (nd, exit), (c, entry));
        r.labels.push((k, "Tidak"));
        // On the return step's page it comes out of a connector in the bottom connector row.
        let r = &mut routers[pt];
        let y = r
            .bottom_row
            .expect("a page that continues has a bottom connector row");
        let (c, path, exit, entry) = r.connect_up(
            &letter,
            ConnectorFlow::In,
            y,
            columns,
            |r, c| r.best_up(c, nt, &channels, false),
            |r, c| r.fallback_up(c, nt),
        );
        r.commit(path, (c, exit), (nt, entry));
    }

    for (page, r) in pages.iter_mut().zip(routers) {
        let labels = place_labels(page, &r, columns);
        page.arrows = r.arrows;
        page.labels = labels;
        page.connectors = r.connectors.into_iter().map(|(_, c)| c).collect();
    }
}

fn lane_borders(columns: &Columns) -> Vec<f64> {
    let mut xs: Vec<f64> = columns.lanes.iter().map(|l| l.x).collect();
    xs.push(columns.lanes_span().1);
    xs
}

/// Connector letters: A … Z, then AA, AB, …
#[derive(Default)]
struct Letters(usize);

impl Letters {
    fn next_letter(&mut self) -> String {
        let mut n = self.0;
        self.0 += 1;
        let mut s = Vec::new();
        loop {
            s.push(b'A' + (n % 26) as u8);
            if n < 26 {
                break;
            }
            n = n / 26 - 1;
        }
        s.reverse();
        String::from_utf8(s).unwrap_or_default()
    }
}

/// The x positions a loop may run up along: the middle of each lane, and tracks in the gaps
/// beside the symbols (the middle of a gap first, then nearer its edges).
fn channels(columns: &Columns, pages: &[FlowPage]) -> Vec<f64> {
    let widest = pages
        .iter()
        .flat_map(|p| &p.symbols)
        .map(|s| s.width)
        .fold(0.0, f64::max);
    let sym = if widest > 0.0 {
        widest
    } else {
        symbol_size(
            SymbolKind::Process,
            columns.lanes.first().map_or(60.0, |l| l.width),
        )
        .0
    };
    let mut xs = Vec::new();
    for lane in &columns.lanes {
        xs.push(lane.center());
        let gap = (lane.width - sym) / 2.0;
        for f in [0.5, 0.3, 0.7] {
            xs.push(lane.x + gap * f);
            xs.push(lane.right() - gap * f);
        }
    }
    xs
}

type Route = (Vec<Point>, Port, Port);

impl PageRouter {
    fn add_connector(&mut self, label: &str, flow: ConnectorFlow, center: Point) -> usize {
        let (w, h) = (text::CONNECTOR_W, text::CONNECTOR_H);
        let node = Node {
            center,
            w,
            h,
            side_y: center.y - h / 2.0 + h * 0.3,
            ports: [Use::Free; 4],
        };
        self.nodes.push(node);
        let id = self.nodes.len() - 1;
        self.connectors.push((
            id,
            Connector {
                label: label.to_string(),
                flow,
                center,
                width: w,
                height: h,
            },
        ));
        id
    }

    /// Adds the arrow and marks its ports; returns the arrow's index.
    fn commit(&mut self, path: Vec<Point>, from: (usize, Port), to: (usize, Port)) -> usize {
        self.nodes[from.0].set(from.1, Use::Out);
        self.nodes[to.0].set(to.1, Use::In);
        for w in path.windows(2) {
            self.segs.push(Seg {
                a: w[0],
                b: w[1],
                dest: to,
            });
        }
        self.arrows.push(Arrow { points: path });
        self.arrows.len() - 1
    }

    /// Places a connector for a loop piece in the connector row at `y`, in the lane whose
    /// route is shortest, and returns it with the route.
    fn connect_up(
        &mut self,
        letter: &str,
        flow: ConnectorFlow,
        y: f64,
        columns: &Columns,
        best: impl Fn(&PageRouter, usize) -> Option<(Route, f64)>,
        fallback: impl Fn(&PageRouter, usize) -> Route,
    ) -> (usize, Vec<Point>, Port, Port) {
        let taken: Vec<f64> = self
            .connectors
            .iter()
            .map(|(id, _)| self.nodes[*id].center)
            .filter(|c| (c.y - y).abs() < 1.0)
            .map(|c| c.x)
            .collect();
        let mut slots: Vec<f64> = columns.lanes.iter().map(|l| l.center()).collect();
        // When every lane already has a connector, the borders between lanes are next.
        slots.extend(columns.lanes.iter().skip(1).map(|l| l.x));
        let free: Vec<f64> = slots
            .into_iter()
            .filter(|x| {
                taken
                    .iter()
                    .all(|t| (t - x).abs() > text::CONNECTOR_W + 2.0)
            })
            .collect();
        let mut chosen: Option<(f64, Route, f64)> = None;
        for x in &free {
            let id = self.add_connector(letter, flow, Point::new(*x, y));
            if let Some((route, score)) = best(&*self, id) {
                if chosen.as_ref().is_none_or(|(_, _, s)| score < *s) {
                    chosen = Some((*x, route, score));
                }
            }
            self.nodes.pop();
            self.connectors.pop();
        }
        match chosen {
            Some((x, (path, exit, entry), _)) => {
                let id = self.add_connector(letter, flow, Point::new(x, y));
                (id, path, exit, entry)
            }
            None => {
                let x = free.first().copied().unwrap_or(columns.lanes[0].center());
                let id = self.add_connector(letter, flow, Point::new(x, y));
                let (path, exit, entry) = fallback(&*self, id);
                (id, path, exit, entry)
            }
        }
    }

    /// The best path from node `lower` up to node `upper`, with its score.
    /// With `labelled`, paths whose first segment has no room for "Tidak" between two column
    /// borders cost more, so the label can sit beside its arrow without crossing a line.
    fn best_up(
        &self,
        lower: usize,
        upper: usize,
        channels: &[f64],
        labelled: bool,
    ) -> Option<(Route, f64)> {
        let lo = &self.nodes[lower];
        let up = &self.nodes[upper];
        let mut candidates: Vec<Route> = Vec::new();
        let exits = [Port::Top, Port::Left, Port::Right];
        let entries = [Port::Bottom, Port::Left, Port::Right];
        for exit in exits {
            for entry in entries {
                let s = lo.port(exit);
                let e = up.port(entry);
                match (exit, entry) {
                    (Port::Top, Port::Bottom) => {
                        if (s.x - e.x).abs() < 0.5 {
                            candidates.push((vec![s, e], exit, entry));
                        }
                    }
                    (Port::Top, side) => {
                        if faces(side, e.x, s.x) {
                            candidates.push((vec![s, Point::new(s.x, e.y), e], exit, entry));
                        }
                    }
                    (side, Port::Bottom) => {
                        if faces(side, s.x, e.x) {
                            candidates.push((vec![s, Point::new(e.x, s.y), e], exit, entry));
                        }
                        // When the free side faces away, go round: up a channel, then back
                        // along a corridor in the free space under the upper symbol.
                        let corridor = e.y + text::SYMBOL_GAP * 0.6;
                        for &x in channels {
                            if faces(side, s.x, x) && (x - e.x).abs() > 2.0 {
                                candidates.push((
                                    vec![
                                        s,
                                        Point::new(x, s.y),
                                        Point::new(x, corridor),
                                        Point::new(e.x, corridor),
                                        e,
                                    ],
                                    exit,
                                    entry,
                                ));
                            }
                        }
                    }
                    (out_side, in_side) => {
                        for &x in channels {
                            if faces(out_side, s.x, x) && faces(in_side, e.x, x) {
                                candidates.push((
                                    vec![s, Point::new(x, s.y), Point::new(x, e.y), e],
                                    exit,
                                    entry,
                                ));
                            }
                        }
                    }
                }
            }
        }
        // Out of the bottom (when "Ya" leaves by a side): down into the free space under the
        // lower symbol, across to a channel, and up into the upper symbol.
        let s = lo.port(Port::Bottom);
        let below = s.y + text::SYMBOL_GAP * 0.6;
        for &x in channels.iter().chain([up.center.x].iter()) {
            if (x - s.x).abs() < 2.0 {
                continue;
            }
            let start = vec![s, Point::new(s.x, below), Point::new(x, below)];
            let e = up.port(Port::Bottom);
            let mut push = |tail: Vec<Point>, entry: Port| {
                let mut path = start.clone();
                path.extend(tail);
                candidates.push((path, Port::Bottom, entry));
            };
            if (x - e.x).abs() < 0.5 {
                push(vec![e], Port::Bottom);
            } else {
                let corridor = e.y + text::SYMBOL_GAP * 0.6;
                push(
                    vec![Point::new(x, corridor), Point::new(e.x, corridor), e],
                    Port::Bottom,
                );
            }
            for side in [Port::Left, Port::Right] {
                let e = up.port(side);
                if faces(side, e.x, x) {
                    push(vec![Point::new(x, e.y), e], side);
                }
            }
        }
        candidates
            .into_iter()
            .filter(|(path, exit, entry)| self.valid(path, (lower, *exit), (upper, *entry)))
            .map(|route| {
                let mut score = length(&route.0) + 12.0 * (route.0.len() as f64 - 2.0);
                if labelled && !self.label_room(&route.0) {
                    score += 150.0;
                }
                (route, score)
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// A path for when no clean one exists: out of a free side, round to the left of both.
    fn fallback_up(&self, lower: usize, upper: usize) -> Route {
        let lo = &self.nodes[lower];
        let up = &self.nodes[upper];
        let exit = if lo.used(Port::Left) == Use::Free {
            Port::Left
        } else {
            Port::Right
        };
        let entry = exit;
        let s = lo.port(exit);
        let e = up.port(entry);
        let x = if exit == Port::Left {
            s.x.min(e.x) - 3.0
        } else {
            s.x.max(e.x) + 3.0
        };
        (
            vec![s, Point::new(x, s.y), Point::new(x, e.y), e],
            exit,
            entry,
        )
    }

    /// Whether the first segment, if horizontal, has a stretch between two column borders
    /// long enough for the "Tidak" label.
    fn label_room(&self, path: &[Point]) -> bool {
        let (a, b) = (path[0], path[1]);
        let need = metrics().width("Tidak", text::LABEL_FONT, false) + 6.0;
        if (a.y - b.y).abs() > 0.01 {
            // Beside a vertical segment: room to one side before the next border.
            let left = self
                .borders
                .iter()
                .filter(|x| **x < a.x)
                .fold(f64::MIN, |m, x| m.max(*x));
            let right = self
                .borders
                .iter()
                .filter(|x| **x > a.x)
                .fold(f64::MAX, |m, x| m.min(*x));
            return a.x - left >= need || right - a.x >= need;
        }
        let (lo, hi) = (a.x.min(b.x), a.x.max(b.x));
        let mut cuts: Vec<f64> = self
            .borders
            .iter()
            .copied()
            .filter(|x| *x > lo && *x < hi)
            .collect();
        cuts.insert(0, lo);
        cuts.push(hi);
        cuts.windows(2).any(|w| w[1] - w[0] >= need)
    }

    fn valid(&self, path: &[Point], from: (usize, Port), to: (usize, Port)) -> bool {
        if self.nodes[from.0].used(from.1) != Use::Free
            || self.nodes[to.0].used(to.1) == Use::Out
            || path.windows(2).any(|w| length(w) < 2.0)
        {
            return false;
        }
        for w in path.windows(2) {
            let seg = Rect::of_segment(w[0], w[1], 0.0);
            let hits_node = self
                .nodes
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != from.0 && *i != to.0)
                .any(|(_, n)| n.bbox(1.5).overlaps(&seg));
            if hits_node {
                return false;
            }
            let runs_along = self
                .segs
                .iter()
                .filter(|s| s.dest != to)
                .any(|s| collinear_overlap(w[0], w[1], s.a, s.b));
            if runs_along {
                return false;
            }
        }
        true
    }
}

/// Whether leaving through `side` at x `from` heads towards x `to`.
fn faces(side: Port, from: f64, to: f64) -> bool {
    match side {
        Port::Left => to < from - 2.0,
        Port::Right => to > from + 2.0,
        Port::Top | Port::Bottom => false,
    }
}

fn length(path: &[Point]) -> f64 {
    path.windows(2)
        .map(|w| (w[0].x - w[1].x).abs() + (w[0].y - w[1].y).abs())
        .sum()
}

/// Whether two axis-parallel segments lie on one line and share more than a point.
fn collinear_overlap(a: Point, b: Point, c: Point, d: Point) -> bool {
    const EPS: f64 = 1.0;
    let vertical = |p: Point, q: Point| (p.x - q.x).abs() < 0.01;
    if vertical(a, b) && vertical(c, d) && (a.x - c.x).abs() < EPS {
        let (lo1, hi1) = (a.y.min(b.y), a.y.max(b.y));
        let (lo2, hi2) = (c.y.min(d.y), c.y.max(d.y));
        return lo1.max(lo2) < hi1.min(hi2) - EPS;
    }
    if !vertical(a, b) && !vertical(c, d) && (a.y - c.y).abs() < EPS {
        let (lo1, hi1) = (a.x.min(b.x), a.x.max(b.x));
        let (lo2, hi2) = (c.x.min(d.x), c.x.max(d.x));
        return lo1.max(lo2) < hi1.min(hi2) - EPS;
    }
    false
}

/// Places each "Ya"/"Tidak" beside the first segments of its arrow, at the first spot that
/// touches no symbol, connector, arrow, grid line or other label and stays in the pelaksana
/// columns.
fn place_labels(page: &FlowPage, r: &PageRouter, columns: &Columns) -> Vec<Label> {
    let m = metrics();
    let size = text::LABEL_FONT;
    let (lanes_l, lanes_r) = columns.lanes_span();
    let mut obstacles: Vec<Rect> = r.nodes.iter().map(|n| n.bbox(1.0)).collect();
    for a in &r.arrows {
        for w in a.points.windows(2) {
            obstacles.push(Rect::of_segment(w[0], w[1], 1.2));
        }
    }
    // Grid lines: lane borders, and every row's top and bottom.
    for lane in &columns.lanes {
        obstacles.push(Rect::of_segment(
            Point::new(lane.x, 0.0),
            Point::new(lane.x, page.height),
            0.8,
        ));
    }
    for row in &page.rows {
        for y in [row.y, row.y + row.height] {
            obstacles.push(Rect::of_segment(
                Point::new(lanes_l, y),
                Point::new(lanes_r, y),
                0.8,
            ));
        }
    }
    let mut labels = Vec::new();
    for &(arrow, text) in &r.labels {
        let width = m.width(text, size, false);
        let boxed = |x: f64, baseline: f64| Rect {
            l: x,
            r: x + width,
            t: baseline - 0.72 * size,
            b: baseline + 0.22 * size,
        };
        let points = &r.arrows[arrow].points;
        let mut first = None;
        let mut found = None;
        'search: for w in points.windows(2).take(2) {
            let (a, b) = (w[0], w[1]);
            let seg_len = (a.x - b.x).abs() + (a.y - b.y).abs();
            for k in 0..40 {
                // The label's near edge slides along the segment; it may reach past the
                // segment's end, where the obstacles decide.
                let off = 2.0 + k as f64 * 2.0;
                if off > seg_len {
                    break;
                }
                let spots: Vec<(f64, f64)> = if (a.y - b.y).abs() < 0.01 {
                    let x = if b.x > a.x {
                        a.x + off
                    } else {
                        a.x - off - width
                    };
                    vec![(x, a.y - 3.0), (x, a.y + 2.5 + 0.72 * size)]
                } else {
                    let baseline = if b.y > a.y {
                        a.y + off + 0.72 * size
                    } else {
                        a.y - off - 0.22 * size
                    };
                    vec![(a.x + 2.5, baseline), (a.x - 2.5 - width, baseline)]
                };
                for (x, baseline) in spots {
                    first.get_or_insert((x, baseline));
                    let rect = boxed(x, baseline);
                    let inside = rect.l > lanes_l + 1.0 && rect.r < lanes_r - 1.0;
                    if inside && !obstacles.iter().any(|o| o.overlaps(&rect)) {
                        found = Some((x, baseline));
                        break 'search;
                    }
                }
            }
        }
        if let Some((x, baseline)) = found.or(first) {
            obstacles.push(boxed(x, baseline));
            labels.push(Label {
                text: text.to_string(),
                x,
                baseline,
                width,
                size,
            });
        }
    }
    labels
}
