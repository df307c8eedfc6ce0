// The loss curve and the decision regions, drawn from numbers the engine reported.
const COLOURS = [[66, 133, 244], [219, 68, 55], [15, 157, 88], [244, 180, 0]];

export function drawLoss(canvas, losses) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  ctx.strokeStyle = "#bbb";
  ctx.strokeRect(30, 5, W - 35, H - 25);
  ctx.fillStyle = "#444";
  ctx.font = "11px sans-serif";
  const pts = losses.filter((p) => typeof p[1] === "number");
  if (!pts.length) { ctx.fillText("loss E", 35, 18); return; }
  const xmax = Math.max(1, pts.at(-1)[0]);
  const ymax = Math.max(...pts.map((p) => p[1])) || 1;
  ctx.fillText(ymax.toPrecision(3), 0, 14);
  ctx.fillText("0", 18, H - 20);
  ctx.fillText(`loss E · ${xmax}`, W - 90, H - 6);
  ctx.strokeStyle = "#c0392b";
  ctx.beginPath();
  pts.forEach(([x, y], k) => {
    const px = 30 + (x / xmax) * (W - 35), py = H - 20 - (y / ymax) * (H - 25);
    if (k) ctx.lineTo(px, py); else ctx.moveTo(px, py);
  });
  ctx.stroke();
}

export function drawRegions(canvas, regions, points, classes) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  canvas.style.display = classes ? "" : "none";
  if (!classes) return;
  let box;
  if (regions) {
    box = regions.box;
    const n = regions.size, cw = W / n, ch = H / n;
    regions.cells.forEach((c, k) => {
      const [r, g, b] = COLOURS[c % COLOURS.length];
      ctx.fillStyle = `rgba(${r},${g},${b},0.28)`;
      ctx.fillRect((k % n) * cw, Math.floor(k / n) * ch, cw + 0.5, ch + 0.5);
    });
  } else {
    const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
    const pad = 0.1 * Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
    box = [Math.min(...xs) - pad, Math.max(...xs) + pad, Math.min(...ys) - pad, Math.max(...ys) + pad];
  }
  points.forEach(([x, y], k) => {
    const [r, g, b] = COLOURS[classes[k] % COLOURS.length];
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.beginPath();
    ctx.arc(((x - box[0]) / (box[1] - box[0])) * W, ((box[3] - y) / (box[3] - box[2])) * H,
            2.5, 0, 2 * Math.PI);
    ctx.fill();
  });
}
