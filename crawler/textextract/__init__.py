"""Safe handling of untrusted attachments: file names, type sniffing and sandboxed text extraction (PDF, DOCX, DOC, HTML, OCR)."""
