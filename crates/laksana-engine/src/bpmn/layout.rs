//! Diagram coordinates (BPMNDI) for the exported process: one horizontal lane per pelaksana,
//! elements left to right in step order, one column each, so no two shapes overlap. "Ya" goes
//! on to the right; "Tidak" leaves its gateway upward (or downward) and runs along the top (or
//! bottom) margin of the target's lane, above (or below) every task, back to the step.

/// What kind of flow node a shape is; decides its size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Start,
    Task,
    Gateway,
    End,
}

/// A flow node in column order, with the index of its lane.
pub(super) struct Node {
    pub id: String,
    pub kind: Kind,
    pub lane: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Bounds {
    pub x: i32,
    pub y: i32,
    pub width: i32,
    pub height: i32,
}

impl Bounds {
    fn centre(&self) -> (i32, i32) {
        (self.x + self.width / 2, self.y + self.height / 2)
    }
    fn right(&self) -> i32 {
        self.x + self.width
    }
    fn bottom(&self) -> i32 {
        self.y + self.height
    }
}

/// The left and top of the pool; bpmn.io's own default start.
const ORIGIN_X: i32 = 160;
const ORIGIN_Y: i32 = 80;
/// The pool's vertical name band on the left.
const POOL_LABEL: i32 = 30;
const LANE_HEIGHT: i32 = 140;
/// Space before the first and after the last column.
const PADDING: i32 = 20;
/// A "Tidak" flow runs this far inside the target lane's top or bottom edge.
const MARGIN: i32 = 14;

fn size(kind: Kind) -> (i32, i32) {
    match kind {
        Kind::Start | Kind::End => (36, 36),
        Kind::Task => (110, 80),
        Kind::Gateway => (50, 50),
    }
}

fn column_width(kind: Kind) -> i32 {
    match kind {
        Kind::Start | Kind::End => 90,
        Kind::Task => 160,
        Kind::Gateway => 100,
    }
}

pub(super) struct Layout {
    pub pool: Bounds,
    pub lanes: Vec<Bounds>,
    pub nodes: Vec<Bounds>,
}

pub(super) fn place(nodes: &[Node], lane_count: usize) -> Layout {
    let lane_count = lane_count.max(1) as i32;
    let mut x = ORIGIN_X + POOL_LABEL + PADDING;
    let mut bounds = Vec::with_capacity(nodes.len());
    for node in nodes {
        let column = column_width(node.kind);
        let (width, height) = size(node.kind);
        let centre_x = x + column / 2;
        let centre_y = ORIGIN_Y + node.lane as i32 * LANE_HEIGHT + LANE_HEIGHT / 2;
        bounds.push(Bounds {
            x: centre_x - width / 2,
            y: centre_y - height / 2,
            width,
            height,
        });
        x += column;
    }
    let pool = Bounds {
        x: ORIGIN_X,
        y: ORIGIN_Y,
        width: x + PADDING - ORIGIN_X,
        height: lane_count * LANE_HEIGHT,
    };
    let lanes = (0..lane_count)
        .map(|i| Bounds {
            x: ORIGIN_X + POOL_LABEL,
            y: ORIGIN_Y + i * LANE_HEIGHT,
            width: pool.width - POOL_LABEL,
            height: LANE_HEIGHT,
        })
        .collect();
    Layout {
        pool,
        lanes,
        nodes: bounds,
    }
}

impl Layout {
    /// Waypoints of a flow from node `from` to node `to`, which stands further right.
    pub(super) fn forward(&self, from: usize, to: usize, from_kind: Kind) -> Vec<(i32, i32)> {
        let (s, t) = (self.nodes[from], self.nodes[to]);
        let (sx, sy) = s.centre();
        let (_, ty) = t.centre();
        if sy == ty {
            return vec![(s.right(), sy), (t.x, ty)];
        }
        if from_kind == Kind::Gateway {
            // Leave a gateway from its top or bottom corner, then turn right.
            let start_y = if ty < sy { s.y } else { s.bottom() };
            return vec![(sx, start_y), (sx, ty), (t.x, ty)];
        }
        let mid = s.right() + (t.x - s.right()) / 2;
        vec![(s.right(), sy), (mid, sy), (mid, ty), (t.x, ty)]
    }

    /// Waypoints of a "Tidak" flow from gateway `from` back to node `to` on its left.
    pub(super) fn back(&self, from: usize, to: usize, to_lane: usize) -> Vec<(i32, i32)> {
        let (g, t) = (self.nodes[from], self.nodes[to]);
        let (gx, gy) = g.centre();
        let (tx, ty) = t.centre();
        let lane = self.lanes[to_lane];
        if ty <= gy {
            let y = lane.y + MARGIN;
            vec![(gx, g.y), (gx, y), (tx, y), (tx, t.y)]
        } else {
            let y = lane.bottom() - MARGIN;
            vec![(gx, g.bottom()), (gx, y), (tx, y), (tx, t.bottom())]
        }
    }
}

/// Where to print a flow's name: just beside its first segment.
pub(super) fn label(points: &[(i32, i32)]) -> Bounds {
    let (x, y) = points[0];
    let (nx, ny) = points.get(1).copied().unwrap_or((x + 1, y));
    if nx == x {
        // Vertical start: to the right of the line, a little along it.
        let dy = if ny < y { -24 } else { 6 };
        Bounds {
            x: x + 6,
            y: y + dy,
            width: 34,
            height: 14,
        }
    } else {
        Bounds {
            x: x + 6,
            y: y - 18,
            width: 34,
            height: 14,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_never_overlap_and_stay_inside_their_lane() {
        let kinds = [
            (Kind::Start, 0),
            (Kind::Task, 0),
            (Kind::Task, 1),
            (Kind::Gateway, 1),
            (Kind::Task, 2),
            (Kind::End, 2),
        ];
        let nodes: Vec<Node> = kinds
            .iter()
            .enumerate()
            .map(|(i, (kind, lane))| Node {
                id: format!("n{i}"),
                kind: *kind,
                lane: *lane,
            })
            .collect();
        let layout = place(&nodes, 3);
        for (i, b) in layout.nodes.iter().enumerate() {
            let lane = layout.lanes[nodes[i].lane];
            assert!(b.y > lane.y && b.bottom() < lane.bottom(), "{i}");
            assert!(b.x > lane.x && b.right() < lane.right(), "{i}");
            if i > 0 {
                assert!(layout.nodes[i - 1].right() < b.x, "{i}");
            }
        }
        let back = layout.back(3, 1, 0);
        // Runs inside lane 0's top margin, above the task it returns to.
        assert!(back[1].1 < layout.nodes[1].y && back[1].1 > layout.lanes[0].y);
    }
}
