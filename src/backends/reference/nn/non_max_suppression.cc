// NonMaxSuppression: greedy per (batch, class) selection by descending score, suppressing boxes
// whose IoU with an already selected box exceeds the threshold.
#include <algorithm>
#include <numeric>
#include <vector>

#include "backends/reference/nn/nn_kernels.h"

namespace kiln::reference {

namespace {

struct Box {
  double y1, x1, y2, x2;
};

Box read_box(const Tensor& boxes, int64_t offset, bool center) {
  double a = boxes.as_double(offset), b = boxes.as_double(offset + 1);
  double c = boxes.as_double(offset + 2), d = boxes.as_double(offset + 3);
  if (center) {  // [x_center, y_center, width, height]
    return {b - d / 2, a - c / 2, b + d / 2, a + c / 2};
  }
  // [y1, x1, y2, x2], corners in either order
  return {std::min(a, c), std::min(b, d), std::max(a, c), std::max(b, d)};
}

bool overlaps_more_than(const Box& p, const Box& q, double threshold) {
  double ix1 = std::max(p.x1, q.x1), iy1 = std::max(p.y1, q.y1);
  double ix2 = std::min(p.x2, q.x2), iy2 = std::min(p.y2, q.y2);
  if (ix2 <= ix1 || iy2 <= iy1) return false;
  double inter = (ix2 - ix1) * (iy2 - iy1);
  double area_p = (p.x2 - p.x1) * (p.y2 - p.y1), area_q = (q.x2 - q.x1) * (q.y2 - q.y1);
  if (area_p <= 0 || area_q <= 0) return false;
  double uni = area_p + area_q - inter;
  if (uni <= 0) return false;
  return inter / uni > threshold;
}

}  // namespace

Status non_max_suppression(KernelContext& ctx) {
  const Tensor& boxes = ctx.input(0);
  const Tensor& scores = ctx.input(1);
  if (boxes.rank() != 3 || boxes.dim(2) != 4) return ctx.error("boxes must be [batches, boxes, 4], got {}", boxes.describe());
  if (scores.rank() != 3 || scores.dim(0) != boxes.dim(0) || scores.dim(2) != boxes.dim(1)) {
    return ctx.error("scores must be [{}, classes, {}], got {}", boxes.dim(0), boxes.dim(1), scores.describe());
  }
  int64_t max_out = ctx.has_input(2) && ctx.input(2).numel() > 0 ? ctx.input(2).as_int64(0) : 0;
  double iou = ctx.has_input(3) && ctx.input(3).numel() > 0 ? ctx.input(3).as_double(0) : 0.0;
  bool has_score_threshold = ctx.has_input(4) && ctx.input(4).numel() > 0;
  double score_threshold = has_score_threshold ? ctx.input(4).as_double(0) : 0.0;
  if (iou < 0 || iou > 1) return ctx.error("iou_threshold {} must be in [0, 1]", iou);
  bool center = ctx.node().attr_int("center_point_box", 0) != 0;
  int64_t batches = boxes.dim(0), classes = scores.dim(1), count = boxes.dim(1);
  std::vector<int64_t> rows;
  for (int64_t b = 0; b < batches; ++b) {
    std::vector<Box> bx;
    for (int64_t i = 0; i < count; ++i) bx.push_back(read_box(boxes, (b * count + i) * 4, center));
    for (int64_t c = 0; c < classes; ++c) {
      int64_t base = (b * classes + c) * count;
      std::vector<int64_t> order;
      for (int64_t i = 0; i < count; ++i) {
        if (!has_score_threshold || scores.as_double(base + i) > score_threshold) order.push_back(i);
      }
      std::stable_sort(order.begin(), order.end(), [&](int64_t p, int64_t q) {
        return scores.as_double(base + p) > scores.as_double(base + q);
      });
      std::vector<int64_t> selected;
      for (int64_t i : order) {
        if (static_cast<int64_t>(selected.size()) >= max_out) break;
        bool keep = true;
        for (int64_t s : selected) {
          if (overlaps_more_than(bx[static_cast<size_t>(i)], bx[static_cast<size_t>(s)], iou)) {
            keep = false;
            break;
          }
        }
        if (!keep) continue;
        selected.push_back(i);
        rows.insert(rows.end(), {b, c, i});
      }
    }
  }
  ctx.set_output(0, Tensor::from_vector<int64_t>(rows, {static_cast<int64_t>(rows.size() / 3), 3}));
  return Status::ok();
}

}  // namespace kiln::reference
