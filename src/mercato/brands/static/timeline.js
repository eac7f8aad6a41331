// The horizontal brand timeline (seed 000's BrandTimeline). Without this script the track is a
// focusable, natively scrollable list with scroll-snap (touch, trackpad, shift+wheel). With it:
// arrow buttons, ← → Home End keys on the focused track, and buttons that disable at the ends.

const STEP_FRACTION = 0.8;

function setUp(root) {
  const track = root.querySelector("[data-timeline-track]");
  const prev = root.querySelector("[data-timeline-prev]");
  const next = root.querySelector("[data-timeline-next]");
  if (!track || !prev || !next) return;
  const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const behavior = reduced ? "auto" : "smooth";

  const itemWidth = () => {
    const item = track.querySelector("li");
    return item ? item.getBoundingClientRect().width : track.clientWidth * STEP_FRACTION;
  };
  const scrollByItems = (n) => track.scrollBy({ left: n * (itemWidth() + 24), behavior });

  const update = () => {
    const max = track.scrollWidth - track.clientWidth - 2;
    const scrollable = max > 0;
    prev.hidden = next.hidden = !scrollable;
    prev.disabled = track.scrollLeft <= 2;
    next.disabled = track.scrollLeft >= max;
  };

  prev.addEventListener("click", () => scrollByItems(-1));
  next.addEventListener("click", () => scrollByItems(1));
  track.addEventListener("keydown", (event) => {
    if (event.target !== track) return; // links inside keep their own keys
    const keys = {
      ArrowRight: () => scrollByItems(1),
      ArrowLeft: () => scrollByItems(-1),
      Home: () => track.scrollTo({ left: 0, behavior }),
      End: () => track.scrollTo({ left: track.scrollWidth, behavior }),
    };
    if (keys[event.key]) {
      event.preventDefault();
      keys[event.key]();
    }
  });
  track.addEventListener("scroll", update, { passive: true });
  window.addEventListener("resize", update);
  update();
}

document.querySelectorAll("[data-timeline]").forEach(setUp);
