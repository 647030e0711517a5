// whatsapp-web.js drives Debian's system Chromium (WHATSAPP_WEB_CHROMIUM_PATH); puppeteer never downloads a browser.
module.exports = { skipDownload: true };
