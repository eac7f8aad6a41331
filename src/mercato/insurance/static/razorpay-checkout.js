// Opens Razorpay Checkout for the order on this page and posts its three values back to the
// store, which verifies the signature before crediting anything.
(function () {
  "use strict";
  const form = document.getElementById("razorpay-form");
  if (!form) return;
  const button = document.getElementById("razorpay-open");
  const status = document.getElementById("razorpay-status");

  function ready() {
    if (typeof window.Razorpay !== "function") {
      status.textContent = "Razorpay could not be loaded. Check your connection and reload the page.";
      return;
    }
    status.textContent = "";
    button.disabled = false;
    button.addEventListener("click", function () {
      const checkout = new window.Razorpay({
        key: form.dataset.key,
        order_id: form.dataset.order,
        amount: Number(form.dataset.amount),
        currency: form.dataset.currency,
        name: form.dataset.name,
        prefill: { email: form.dataset.email, name: form.dataset.customer },
        handler: function (answer) {
          form.elements.razorpay_payment_id.value = answer.razorpay_payment_id;
          form.elements.razorpay_order_id.value = answer.razorpay_order_id;
          form.elements.razorpay_signature.value = answer.razorpay_signature;
          status.textContent = "Confirming the payment…";
          form.submit();
        },
      });
      checkout.on("payment.failed", function (failure) {
        status.textContent = (failure.error && failure.error.description) || "The payment failed. You can try again.";
      });
      checkout.open();
    });
  }

  if (document.readyState === "complete") ready();
  else window.addEventListener("load", ready);
})();
