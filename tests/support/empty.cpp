// Keeps the test support library non-empty when no helper in tests/support/ is built.
namespace tuna::test_support {
extern const int support_library_anchor;
const int support_library_anchor = 0;
}  // namespace tuna::test_support
