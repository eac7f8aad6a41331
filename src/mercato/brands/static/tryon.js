// The 2D try-on (seed 000's VirtualTryOn, named for what it is: a flat overlay, not a fitting).
// Everything happens in this page: the buyer's photo is read with FileReader into a canvas and
// never sent anywhere; "Save image" downloads the canvas as a PNG. The garment is a transparent
// cut-out that can be moved (drag, arrow keys, sliders), scaled (wheel, + / -, slider) and
// rotated ([ / ], slider). Without a photo, a silhouette drawn here stands in.

const root = document.querySelector("[data-tryon]");
if (root) start(root);

function start(root) {
  const canvas = root.querySelector("[data-tryon-canvas]");
  const ctx = canvas.getContext("2d");
  const inputs = {
    x: root.querySelector("[data-tryon-x]"),
    y: root.querySelector("[data-tryon-y]"),
    scale: root.querySelector("[data-tryon-scale]"),
    rotate: root.querySelector("[data-tryon-rotate]"),
  };
  const status = root.querySelector("[data-tryon-status]");
  const initial = { x: 300, y: 380, scale: 100, rotate: 0 };
  const state = { ...initial };
  let background = null; // an ImageBitmap/HTMLImageElement of the buyer's photo, or null
  const garment = new Image();
  garment.src = root.dataset.garment;
  garment.addEventListener("load", draw);

  function drawSilhouette() {
    // A neutral standing figure drawn with paths: head, neck, shoulders, arms, torso, legs.
    ctx.fillStyle = "#ece8e3";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = "#b9b2aa";
    ctx.beginPath();
    ctx.ellipse(300, 110, 42, 52, 0, 0, Math.PI * 2);
    ctx.fill();
    ctx.beginPath();
    ctx.moveTo(282, 155); ctx.lineTo(318, 155); ctx.lineTo(322, 185);
    ctx.quadraticCurveTo(400, 190, 420, 230); // right shoulder
    ctx.lineTo(455, 470); ctx.lineTo(425, 475); ctx.lineTo(395, 300);
    ctx.lineTo(392, 470); ctx.lineTo(370, 760); ctx.lineTo(330, 760); ctx.lineTo(305, 500);
    ctx.lineTo(295, 500); ctx.lineTo(270, 760); ctx.lineTo(230, 760); ctx.lineTo(208, 470);
    ctx.lineTo(205, 300); ctx.lineTo(175, 475); ctx.lineTo(145, 470); ctx.lineTo(180, 230);
    ctx.quadraticCurveTo(200, 190, 278, 185);
    ctx.closePath();
    ctx.fill();
  }

  function drawBackground() {
    if (!background) return drawSilhouette();
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    // Cover the canvas with the photo, keeping its proportions.
    const ratio = Math.max(canvas.width / background.width, canvas.height / background.height);
    const w = background.width * ratio;
    const h = background.height * ratio;
    ctx.drawImage(background, (canvas.width - w) / 2, (canvas.height - h) / 2, w, h);
  }

  function draw() {
    drawBackground();
    if (!garment.complete || !garment.naturalWidth) return;
    const scale = (state.scale / 100) * (300 / garment.naturalWidth);
    ctx.save();
    ctx.translate(state.x, state.y);
    ctx.rotate((state.rotate * Math.PI) / 180);
    ctx.scale(scale, scale);
    ctx.drawImage(garment, -garment.naturalWidth / 2, -garment.naturalHeight / 2);
    ctx.restore();
    for (const key of Object.keys(inputs)) inputs[key].value = String(Math.round(state[key]));
    canvas.dataset.x = String(Math.round(state.x));
    canvas.dataset.y = String(Math.round(state.y));
    canvas.dataset.scale = String(Math.round(state.scale));
    canvas.dataset.rotate = String(Math.round(state.rotate));
  }

  const clamp = (value, min, max) => Math.max(min, Math.min(max, value));
  function set(changes, announce) {
    state.x = clamp(changes.x ?? state.x, 0, canvas.width);
    state.y = clamp(changes.y ?? state.y, 0, canvas.height);
    state.scale = clamp(changes.scale ?? state.scale, 20, 250);
    state.rotate = clamp(changes.rotate ?? state.rotate, -180, 180);
    draw();
    if (announce && status) status.textContent = announce;
  }

  for (const [key, input] of Object.entries(inputs)) {
    input.addEventListener("input", () => set({ [key]: Number(input.value) }));
  }

  // Pointer: drag to move (mouse, pen and touch alike).
  let drag = null;
  const toCanvas = (event) => {
    const box = canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - box.left) * canvas.width) / box.width,
      y: ((event.clientY - box.top) * canvas.height) / box.height,
    };
  };
  canvas.addEventListener("pointerdown", (event) => {
    const p = toCanvas(event);
    drag = { dx: p.x - state.x, dy: p.y - state.y };
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const p = toCanvas(event);
    set({ x: p.x - drag.dx, y: p.y - drag.dy });
  });
  const end = () => { drag = null; };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  canvas.addEventListener("wheel", (event) => {
    event.preventDefault();
    set({ scale: state.scale - Math.sign(event.deltaY) * 5 });
  }, { passive: false });

  // Keyboard on the focused picture.
  canvas.addEventListener("keydown", (event) => {
    const step = event.shiftKey ? 40 : 10;
    const moves = {
      ArrowLeft: [{ x: state.x - step }, "Moved left"],
      ArrowRight: [{ x: state.x + step }, "Moved right"],
      ArrowUp: [{ y: state.y - step }, "Moved up"],
      ArrowDown: [{ y: state.y + step }, "Moved down"],
      "+": [{ scale: state.scale + 5 }, "Larger"],
      "=": [{ scale: state.scale + 5 }, "Larger"],
      "-": [{ scale: state.scale - 5 }, "Smaller"],
      "[": [{ rotate: state.rotate - 5 }, "Rotated left"],
      "]": [{ rotate: state.rotate + 5 }, "Rotated right"],
    };
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      set(move[0], move[1]);
    }
  });

  // The buyer's photo: read locally, drawn into the canvas, never uploaded.
  root.querySelector("[data-tryon-photo]").addEventListener("change", (event) => {
    const file = event.target.files && event.target.files[0];
    if (!file || !file.type.startsWith("image/")) return;
    const reader = new FileReader();
    reader.addEventListener("load", () => {
      const img = new Image();
      img.addEventListener("load", () => { background = img; draw(); if (status) status.textContent = "Photo placed"; });
      img.src = reader.result;
    });
    reader.readAsDataURL(file);
  });
  root.querySelector("[data-tryon-silhouette]").addEventListener("click", () => {
    background = null;
    root.querySelector("[data-tryon-photo]").value = "";
    draw();
  });
  root.querySelector("[data-tryon-reset]").addEventListener("click", () => set({ ...initial }, "Reset"));
  root.querySelector("[data-tryon-save]").addEventListener("click", () => {
    canvas.toBlob((blob) => {
      if (!blob) return;
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = root.dataset.filename || "try-on.png";
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    }, "image/png");
  });
  root.querySelector("[data-tryon-controls]").addEventListener("submit", (event) => event.preventDefault());
  draw();
}
