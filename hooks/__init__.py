"""mkdocs hooks (see mkdocs.yml `hooks:`); importable by the tests."""
