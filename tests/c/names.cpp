// names.cpp - a small C++ program for memtop's C++ name tests
// (tests/symbolize_cxx.py): functions in nested namespaces, a class method
// with an inlined method inside, a class template's method and a function
// template, all allocating with malloc so that a tcmalloc heap profile names
// them. Built with g++ -O2 -g; noipa keeps gcc from cloning or inlining
// what the test expects as a frame of its own.
//
// Kept at exit: Canvas::paint -> Canvas::row (inlined) -> Pool<char>::grab:
// 300 blocks of 1000 bytes; fill<64> -> Pool<long>::grab: 100 blocks of
// 512 bytes.
#include <cstdlib>
#include <cstring>
#include <vector>

namespace shapes {
namespace detail {
template <typename T> struct Pool {
	std::vector<T *> kept;
	__attribute__((noipa)) T *grab(std::size_t n)
	{
		T *p = static_cast<T *>(std::malloc(n * sizeof(T)));
		if (!p)
			std::abort();
		std::memset(p, 1, n * sizeof(T));
		kept.push_back(p);
		return p;
	}
};
} // namespace detail

class Canvas {
public:
	__attribute__((noipa)) void paint(int n);
	char *row(std::size_t n) { return pool_.grab(n) + n / 2; }

private:
	detail::Pool<char> pool_;
};

void Canvas::paint(int n)
{
	for (int i = 0; i < n; i++)
		row(1000)[0] = 2;
}

template <int N> __attribute__((noipa)) long *fill(detail::Pool<long> &p)
{
	return p.grab(N);
}
} // namespace shapes

int main()
{
	shapes::Canvas c;
	c.paint(300);
	shapes::detail::Pool<long> lp;
	for (int i = 0; i < 100; i++)
		shapes::fill<64>(lp)[1] = 3;
	return 0;
}
