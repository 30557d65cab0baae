// Reporting: derive the receipt key in the reporter's browser (Argon2id, as GlobaLeaks
// does since v5.0.44) so the server never pays for guesses and, on follow-up, never sees
// the receipt. Without JavaScript the forms still work: the server derives the key.
import initialize from "../vendor/argon2/fetch.js";

// Argon2id, version 0x13: the same output as the server's PyNaCl (libsodium argon2id13).
const ARGON2ID = 2;
const VERSION_13 = 0x13;
let argon2 = null; // the WebAssembly module, fetched and compiled on first use

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

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

async function deriveKey(form, receipt, params = form.dataset) {
  if (argon2 === null) argon2 = await initialize(new URL("../vendor/argon2/argon2.wasm", import.meta.url));
  const { hash } = argon2.hash(receipt, {
    salt: hexToBytes(form.dataset.salt),
    parallelism: 1,
    timeCost: Number(params.opslimit),
    memoryCost: Number(params.memlimit),
    hashLength: 32,
    type: ARGON2ID,
    version: VERSION_13,
  });
  return toHex(hash);
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
