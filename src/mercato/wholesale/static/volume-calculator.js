// Volume calculator on the wholesale product page: answers as the buyer types, with the
// same rule as the server (mercato/wholesale/pricing.py): the tier the quantity reaches
// prices every unit of the line. Without JavaScript the form submits ?qty= instead.

function unitPrice(tiers, wholesalePrice, qty) {
  let price = wholesalePrice;
  for (const tier of tiers) {
    if (qty >= tier.min_qty) price = tier.unit_price;
    else break;
  }
  return price;
}

function validAtLeast(moq, multiple, qty) {
  const base = Math.max(qty, moq, 1);
  return Math.ceil(base / multiple) * multiple;
}

function setup(form) {
  const tiers = JSON.parse(form.dataset.tiers || "[]").sort((a, b) => a.min_qty - b.min_qty);
  const wholesalePrice = Number(form.dataset.wholesalePrice);
  const moq = Number(form.dataset.moq) || 1;
  const multiple = Number(form.dataset.multiple) || 1;
  const digits = Number(form.dataset.digits || 2);
  const locale = (form.dataset.locale || "en").replace("en-BD", "en-IN");
  const money = new Intl.NumberFormat(locale, {
    style: "currency",
    currency: form.dataset.currency || "BDT",
    currencyDisplay: "narrowSymbol",
  });
  const fmt = (minor) => money.format(minor / 10 ** digits);
  const input = form.querySelector("input[name=qty]");
  const out = form.querySelector(".calc-result");
  const headline = unitPrice(tiers, wholesalePrice, validAtLeast(moq, multiple, moq));

  function paragraph(text, className) {
    const p = document.createElement("p");
    p.textContent = text;
    if (className) p.className = className;
    return p;
  }

  function render() {
    const qty = Math.floor(Number(input.value));
    out.replaceChildren();
    if (!Number.isFinite(qty) || qty < 1) return;
    const unit = unitPrice(tiers, wholesalePrice, qty);
    const saving = Math.max(0, (headline - unit) * qty);
    let line = `${qty} units × ${fmt(unit)} = ${fmt(unit * qty)}`;
    if (saving) line += ` (you save ${fmt(saving)})`;
    out.append(paragraph(line));
    if (qty < moq) {
      out.append(paragraph(`The minimum order is ${moq} units. Try ${validAtLeast(moq, multiple, qty)}.`, "field-error"));
    } else if (qty % multiple !== 0) {
      out.append(paragraph(`Sold in cases of ${multiple}. Try ${validAtLeast(moq, multiple, qty)}.`, "field-error"));
    }
    for (const tier of tiers) {
      if (tier.min_qty <= qty || tier.unit_price >= unit) continue;
      const target = validAtLeast(moq, multiple, tier.min_qty);
      const next = unitPrice(tiers, wholesalePrice, target);
      out.append(paragraph(
        `Add ${target - qty} more to pay ${fmt(next)}/unit and save ${fmt((unit - next) * target)}.`,
        "next-tier",
      ));
      break;
    }
  }

  input.addEventListener("input", render);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    render();
  });
}

document.querySelectorAll("[data-volume-calculator]").forEach(setup);
