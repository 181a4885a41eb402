// Why the model refused or failed something, as data: a code and what it concerns. The
// views word it (views/words.js errorText); the message is the code, for logs.
//   training        {slot, action: 'import' | 'restore' | 'train'}  the slot is training
//   nothing-stored  {slot}                  no stored weights to restore
//   import-failed   {file, cause}           the engine refused a weights file (cause: its words)
//   start-failed    {slot, cause}           the engine refused to start a run
//   race-busy       {}                      a run is going on: the race waits for it to end
//   no-digit        {}                      nothing in focus to keep or step on
//   no-digits       {}                      no digits of the user's to fine-tune on
//   finetune-busy   {action?: 'train'}      a fine-tune is going on
//   digits-import-failed {file, cause}      the core could not read an IDX pair (cause: its words)
//   too-many-digits {count, kept, max}      adding count digits to the kept ones would pass the most kept

export class LabError extends Error {
  /**
   * @param {string} code one of the codes above
   * @param {{slot?: string, action?: string, file?: string, cause?: string, count?: number, kept?: number,
   *   max?: number}} [detail]
   */
  constructor(code, detail = {}) {
    super(detail.cause ? `${code}: ${detail.cause}` : code);
    this.name = 'LabError';
    this.code = code;
    this.detail = detail;
  }
}
