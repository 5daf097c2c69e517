"""Untrusted attachments: safe file names, type sniffing and sandboxed text extraction (PDF, DOCX, DOC, HTML, OCR)."""
