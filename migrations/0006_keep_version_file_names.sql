-- The name each version was uploaded under: a new version may come under another file name
-- than the document's, and the metadata of a version should say which.

ALTER TABLE document_versions ADD COLUMN file_name text NOT NULL DEFAULT '';
