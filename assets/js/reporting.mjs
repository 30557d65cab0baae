// Reporting: derive the receipt key in the reporter's browser (Argon2id, as GlobaLeaks
// does since v5.0.44) so the server never pays for guesses and, on follow-up, never sees
// the receipt. Without JavaScript the forms still work: the server derives the key.
import { argon2id } from "../vendor/hash-wasm.esm.min.js";

const DIGITS = 16;

function hexToBytes(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i += 1) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

// 16 uniformly random digits from the browser's CSPRNG (rejection sampling per digit).
function newReceipt() {
  let receipt = "";
  const bytes = new Uint8Array(1);
  while (receipt.length < DIGITS) {
    crypto.getRandomValues(bytes);
    if (bytes[0] < 250) receipt += String(bytes[0] % 10);
  }
  return receipt;
}

function deriveKey(form, receipt, params = form.dataset) {
  return argon2id({
    password: receipt,
    salt: hexToBytes(form.dataset.salt),
    parallelism: 1,
    iterations: Number(params.opslimit),
    memorySize: Number(params.memlimit),
    hashLength: 32,
    outputType: "hex",
  });
}

function busy(form, on) {
  const status = form.querySelector("[data-receipt-status]");
  if (status) status.classList.toggle("govuk-!-display-none", !on);
  form.querySelectorAll("button").forEach((b) => { b.disabled = on; });
}

function enhance(form, prepare) {
  let ready = false;
  form.addEventListener("submit", async (event) => {
    if (ready) return;
    event.preventDefault();
    busy(form, true);
    try {
      await prepare(form);
    } catch (error) {
      // Fall back to the server deriving the key: the form works as without JavaScript.
      form.querySelectorAll("input[name=receipt_key]").forEach((input) => { input.value = ""; });
    }
    ready = true;
    busy(form, false);
    form.requestSubmit ? form.requestSubmit() : form.submit();
  });
}

document.querySelectorAll("form[data-receipt-submit]").forEach((form) => {
  enhance(form, async () => {
    const receipt = newReceipt();
    form.elements.receipt_key.value = await deriveKey(form, receipt);
    form.elements.receipt.value = receipt;
  });
});

document.querySelectorAll("form[data-receipt-open]").forEach((form) => {
  enhance(form, async () => {
    const typed = form.elements.receipt.value.replace(/[\s-]/g, "");
    if (!/^\d{16}$/.test(typed)) return; // let the server explain what is wrong
    // One key per Argon2id parameter set in use (older reports keep their parameters).
    const keys = [];
    for (const params of JSON.parse(form.dataset.kdfs)) keys.push(await deriveKey(form, typed, params));
    form.elements.receipt_key.value = keys.join(",");
    // The receipt itself never leaves this device.
    form.elements.receipt.value = "";
  });
});
