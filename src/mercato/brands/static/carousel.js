// The product page's Instagram-style carousel (seed 000's ProductCarousel). The slides are a
// scroll-snap strip that swipes natively and works without JavaScript; this script adds the
// previous / next arrows, the dots, ← → Home End keys on the focused strip, and announces
// "picture 2 of 3" to screen readers.

function setUp(root) {
  const track = root.querySelector("[data-carousel-track]");
  const slides = [...root.querySelectorAll(".carousel-slide")];
  const prev = root.querySelector("[data-carousel-prev]");
  const next = root.querySelector("[data-carousel-next]");
  const dotsBox = root.querySelector("[data-carousel-dots]");
  const status = root.querySelector("[data-carousel-status]");
  if (!track || slides.length < 2) return;
  const dots = dotsBox ? [...dotsBox.querySelectorAll("[data-carousel-dot]")] : [];
  const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  let current = 0;

  const go = (index) => {
    const target = Math.max(0, Math.min(slides.length - 1, index));
    track.scrollTo({ left: slides[target].offsetLeft - track.offsetLeft, behavior: reduced ? "auto" : "smooth" });
  };
  const show = (index) => {
    current = index;
    dots.forEach((dot, n) => dot.setAttribute("aria-current", n === index ? "true" : "false"));
    if (prev) prev.disabled = index === 0;
    if (next) next.disabled = index === slides.length - 1;
    if (status) status.textContent = `Picture ${index + 1} of ${slides.length}`;
    root.dataset.current = String(index);
  };

  // The visible slide follows the scroll position, whatever moved it (swipe, keys, arrows).
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting && entry.intersectionRatio >= 0.6) show(slides.indexOf(entry.target));
      }
    },
    { root: track, threshold: [0.6] },
  );
  slides.forEach((slide) => observer.observe(slide));

  if (prev) { prev.hidden = false; prev.addEventListener("click", () => go(current - 1)); }
  if (next) { next.hidden = false; next.addEventListener("click", () => go(current + 1)); }
  if (dotsBox) dotsBox.hidden = false;
  dots.forEach((dot, n) => dot.addEventListener("click", () => go(n)));
  track.addEventListener("keydown", (event) => {
    const moves = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: slides.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      go(moves[event.key]);
    }
  });
  show(0);
}

document.querySelectorAll("[data-carousel]").forEach(setUp);
