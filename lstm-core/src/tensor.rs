//! Statically sized matrices and vectors, on the heap or in static data.
//!
//! Both keep their elements in one `Box`, or in `static` data compiled into the program
//! ([`Matrix::from_static`], what compile-time weights are), so an LSTM's weights never sit on
//! the stack, and both dereference to plain arrays (`[[T; C]; R]` and `[T; N]`), so every size
//! is known to the compiler.
//!
//! Construction never builds the whole tensor on the stack: elements are written into a heap
//! buffer (a row at a time for a matrix) and the buffer is then turned into the boxed array.
//! A 1024 x 1024 `f32` matrix (4 MiB) therefore constructs fine on a 2 MiB test thread.

use core::fmt;
use core::ops::{Deref, DerefMut};

use crate::Float;

/// Where a tensor's elements live: on the heap, or in static data (read-only, never copied
/// unless written to).
#[derive(Clone)]
enum Elements<X: 'static> {
    #[cfg(feature = "std")]
    Heap(Box<X>),
    Static(&'static X),
}

impl<X> Deref for Elements<X> {
    type Target = X;
    fn deref(&self) -> &X {
        match self {
            #[cfg(feature = "std")]
            Elements::Heap(boxed) => boxed,
            Elements::Static(borrowed) => borrowed,
        }
    }
}

impl<X: PartialEq> PartialEq for Elements<X> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

/// A `R x C` matrix (`R` rows, `C` columns), row-major, on the heap or in static data.
///
/// In an LSTM, `W` is `Matrix<T, H, I>` and `U` is `Matrix<T, H, H>`: rows are hidden units, so the
/// gate pre-activation is `W x` (PyTorch's orientation, not Keras' transposed kernel).
///
/// ```
/// use lstm_core::Matrix;
/// let m = Matrix::<f32, 2, 3>::from_fn(|row, col| (10 * row + col) as f32);
/// assert_eq!(m[1], [10.0, 11.0, 12.0]);
/// assert_eq!(m.as_flattened(), &[0.0, 1.0, 2.0, 10.0, 11.0, 12.0]);
/// ```
#[derive(Clone, PartialEq)]
pub struct Matrix<T: 'static, const R: usize, const C: usize> {
    rows: Elements<[[T; C]; R]>,
}

/// A vector of `N` elements on the heap or in static data: a bias `b` is `Vector<T, H>`.
///
/// ```
/// use lstm_core::Vector;
/// let b = Vector::<f64, 4>::from_fn(|i| i as f64);
/// assert_eq!(*b, [0.0, 1.0, 2.0, 3.0]);
/// ```
#[derive(Clone, PartialEq)]
pub struct Vector<T: 'static, const N: usize> {
    elements: Elements<[T; N]>,
}

/// A flat buffer whose length does not match a tensor's element count.
///
/// ```
/// use lstm_core::{Matrix, LengthError};
/// let err = Matrix::<f32, 2, 3>::try_from_flat(&[0.0; 5]).unwrap_err();
/// assert_eq!(err, LengthError { expected: 6, found: 5 });
/// assert_eq!(err.to_string(), "expected 6 elements, found 5");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LengthError {
    /// The element count the tensor's type requires.
    pub expected: usize,
    /// The length that was given.
    pub found: usize,
}

impl fmt::Display for LengthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "expected {} elements, found {}",
            self.expected, self.found
        )
    }
}

impl core::error::Error for LengthError {}

/// Turns a vector that holds exactly `N` elements into a boxed array without copying it.
#[cfg(feature = "std")]
fn into_boxed_array<E, const N: usize>(elements: Vec<E>) -> Box<[E; N]> {
    match Box::<[E; N]>::try_from(elements) {
        Ok(array) => array,
        // Every caller fills exactly `N` elements; the length is an invariant of this module.
        Err(elements) => unreachable!("built {} elements for an array of {N}", elements.len()),
    }
}

/// Built on the heap (with `std`).
#[cfg(feature = "std")]
impl<T: Float, const R: usize, const C: usize> Matrix<T, R, C> {
    /// A matrix of zeros.
    ///
    /// ```
    /// let m = lstm_core::Matrix::<f32, 1024, 1024>::zeros();
    /// assert!(m.as_flattened().iter().all(|&x| x == 0.0));
    /// ```
    #[must_use]
    pub fn zeros() -> Self {
        Self::from_fn(|_, _| T::ZERO)
    }

    /// A matrix whose element at `(row, col)` is `element(row, col)`, called in row-major order.
    ///
    /// ```
    /// let m = lstm_core::Matrix::<f32, 2, 3>::from_fn(|row, col| (row * 3 + col) as f32);
    /// assert_eq!(m[1], [3.0, 4.0, 5.0]);
    /// ```
    #[must_use]
    pub fn from_fn(mut element: impl FnMut(usize, usize) -> T) -> Self {
        let mut rows = Vec::with_capacity(R);
        for row in 0..R {
            rows.push(core::array::from_fn(|col| element(row, col)));
        }
        Self {
            rows: Elements::Heap(into_boxed_array(rows)),
        }
    }

    /// A matrix from `R * C` elements in row-major order (PyTorch's memory order for a `(R, C)`
    /// tensor).
    ///
    /// # Errors
    /// [`LengthError`] if `flat.len()` is not `R * C`.
    ///
    /// ```
    /// let m = lstm_core::Matrix::<f32, 2, 2>::try_from_flat(&[1.0, 2.0, 3.0, 4.0])?;
    /// assert_eq!(m[1][0], 3.0);
    /// # Ok::<(), lstm_core::LengthError>(())
    /// ```
    pub fn try_from_flat(flat: &[T]) -> Result<Self, LengthError> {
        let expected = R.saturating_mul(C);
        if flat.len() != expected {
            return Err(LengthError {
                expected,
                found: flat.len(),
            });
        }
        Ok(Self::from_fn(|row, col| flat[row * C + col]))
    }
}

impl<T, const R: usize, const C: usize> Matrix<T, R, C> {
    /// Number of rows, `R`.
    ///
    /// ```
    /// assert_eq!(lstm_core::Matrix::<f32, 256, 100>::ROWS, 256);
    /// ```
    pub const ROWS: usize = R;
    /// Number of columns, `C`.
    ///
    /// ```
    /// assert_eq!(lstm_core::Matrix::<f32, 256, 100>::COLS, 100);
    /// ```
    pub const COLS: usize = C;

    /// The rows as a fixed-size array.
    ///
    /// ```
    /// let m = lstm_core::Matrix::<f32, 2, 2>::from_fn(|row, col| (row + col) as f32);
    /// let rows: &[[f32; 2]; 2] = m.as_rows();
    /// assert_eq!(rows[1], [1.0, 2.0]);
    /// ```
    #[must_use]
    pub fn as_rows(&self) -> &[[T; C]; R] {
        &self.rows
    }

    /// All elements in row-major order.
    ///
    /// ```
    /// let m = lstm_core::Matrix::<f32, 2, 2>::from_fn(|row, col| (row * 2 + col) as f32);
    /// assert_eq!(m.as_flattened(), [0.0, 1.0, 2.0, 3.0]);
    /// ```
    #[must_use]
    pub fn as_flattened(&self) -> &[T] {
        self.rows.as_flattened()
    }

    /// A matrix whose elements are static data, for example weights compiled into the
    /// program: nothing is copied, now or when the matrix is cloned; writing to it (through
    /// `DerefMut`) first copies it to the heap.
    ///
    /// ```
    /// use lstm_core::Matrix;
    /// static W: [[f32; 2]; 2] = [[1.0, 0.0], [0.0, 1.0]];
    /// let mut identity = Matrix::from_static(&W);
    /// assert_eq!(identity.as_rows(), &W);
    /// assert!(identity.is_static());
    /// identity[0][1] = 0.5; // copies to the heap; `W` is unchanged
    /// assert!(!identity.is_static() && W[0][1] == 0.0);
    /// ```
    #[must_use]
    pub const fn from_static(rows: &'static [[T; C]; R]) -> Self {
        Self {
            rows: Elements::Static(rows),
        }
    }

    /// Whether the elements are static data ([`from_static`](Self::from_static)), not on the
    /// heap.
    ///
    /// ```
    /// assert!(!lstm_core::Matrix::<f32, 2, 2>::zeros().is_static());
    /// ```
    #[must_use]
    pub fn is_static(&self) -> bool {
        matches!(self.rows, Elements::Static(_))
    }
}

#[cfg(feature = "std")]
impl<T: Copy, const R: usize, const C: usize> Matrix<T, R, C> {
    /// All elements in row-major order, mutably (static elements are first copied to the heap).
    ///
    /// ```
    /// let mut m = lstm_core::Matrix::<f32, 2, 2>::zeros();
    /// m.as_flattened_mut()[3] = 1.0;
    /// assert_eq!(m[1][1], 1.0);
    /// ```
    #[must_use]
    pub fn as_flattened_mut(&mut self) -> &mut [T] {
        self.deref_mut().as_flattened_mut()
    }
}

impl<T, const R: usize, const C: usize> Deref for Matrix<T, R, C> {
    type Target = [[T; C]; R];
    fn deref(&self) -> &Self::Target {
        &self.rows
    }
}

/// Static elements are copied to the heap first (a row at a time, never through the stack).
#[cfg(feature = "std")]
impl<T: Copy, const R: usize, const C: usize> DerefMut for Matrix<T, R, C> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        if let Elements::Static(rows) = self.rows {
            self.rows = Elements::Heap(into_boxed_array(rows.to_vec()));
        }
        match &mut self.rows {
            Elements::Heap(rows) => rows,
            Elements::Static(_) => unreachable!("copied to the heap above"),
        }
    }
}

impl<T: fmt::Debug, const R: usize, const C: usize> fmt::Debug for Matrix<T, R, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Matrix<{R}, {C}> ")?;
        f.debug_list().entries(self.rows.iter()).finish()
    }
}

/// Built on the heap (with `std`).
#[cfg(feature = "std")]
impl<T: Float, const N: usize> Vector<T, N> {
    /// A vector of zeros.
    ///
    /// ```
    /// assert_eq!(*lstm_core::Vector::<f32, 3>::zeros(), [0.0; 3]);
    /// ```
    #[must_use]
    pub fn zeros() -> Self {
        Self::from_fn(|_| T::ZERO)
    }

    /// A vector whose element `i` is `element(i)`, called in order.
    ///
    /// ```
    /// let b = lstm_core::Vector::<f32, 3>::from_fn(|i| i as f32 * 0.5);
    /// assert_eq!(*b, [0.0, 0.5, 1.0]);
    /// ```
    #[must_use]
    pub fn from_fn(element: impl FnMut(usize) -> T) -> Self {
        Self {
            elements: Elements::Heap(into_boxed_array((0..N).map(element).collect())),
        }
    }

    /// A vector from exactly `N` elements.
    ///
    /// # Errors
    /// [`LengthError`] if `flat.len()` is not `N`.
    ///
    /// ```
    /// let b = lstm_core::Vector::<f32, 3>::try_from_flat(&[1.0, 2.0, 3.0])?;
    /// assert_eq!(b[2], 3.0);
    /// assert!(lstm_core::Vector::<f32, 3>::try_from_flat(&[1.0]).is_err());
    /// # Ok::<(), lstm_core::LengthError>(())
    /// ```
    pub fn try_from_flat(flat: &[T]) -> Result<Self, LengthError> {
        if flat.len() != N {
            return Err(LengthError {
                expected: N,
                found: flat.len(),
            });
        }
        Ok(Self {
            elements: Elements::Heap(into_boxed_array(flat.to_vec())),
        })
    }
}

impl<T, const N: usize> Vector<T, N> {
    /// Number of elements, `N`.
    ///
    /// ```
    /// assert_eq!(lstm_core::Vector::<f32, 256>::LEN, 256);
    /// ```
    pub const LEN: usize = N;

    /// The elements as a fixed-size array.
    ///
    /// ```
    /// let b = lstm_core::Vector::<f32, 2>::from_fn(|i| i as f32);
    /// let array: &[f32; 2] = b.as_array();
    /// assert_eq!(array, &[0.0, 1.0]);
    /// ```
    #[must_use]
    pub fn as_array(&self) -> &[T; N] {
        &self.elements
    }

    /// A vector whose elements are static data: nothing is copied unless it is written to.
    ///
    /// ```
    /// static B: [f32; 3] = [0.5, 0.0, -0.5];
    /// let b = lstm_core::Vector::from_static(&B);
    /// assert_eq!(*b, B);
    /// ```
    #[must_use]
    pub const fn from_static(elements: &'static [T; N]) -> Self {
        Self {
            elements: Elements::Static(elements),
        }
    }
}

impl<T, const N: usize> Deref for Vector<T, N> {
    type Target = [T; N];
    fn deref(&self) -> &Self::Target {
        &self.elements
    }
}

/// Static elements are copied to the heap first.
#[cfg(feature = "std")]
impl<T: Copy, const N: usize> DerefMut for Vector<T, N> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        if let Elements::Static(elements) = self.elements {
            self.elements = Elements::Heap(into_boxed_array(elements.to_vec()));
        }
        match &mut self.elements {
            Elements::Heap(elements) => elements,
            Elements::Static(_) => unreachable!("copied to the heap above"),
        }
    }
}

impl<T: fmt::Debug, const N: usize> fmt::Debug for Vector<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Vector<{N}> ")?;
        f.debug_list().entries(self.elements.iter()).finish()
    }
}

/// Gives the element type of a tensor type; the derive uses it to learn a weight struct's `T`
/// from the type of its `w_i` field.
///
/// ```
/// use lstm_core::{Matrix, Tensor};
/// fn elem_name<X: Tensor>() -> &'static str { <X::Elem as lstm_core::Float>::NAME }
/// assert_eq!(elem_name::<Matrix<f64, 2, 2>>(), "f64");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an lstm tensor type",
    label = "a weight field must be a `Matrix` or a `Vector`",
    note = "the fields of a weight struct are `lstm::Matrix<T, R, C>` (`W`, `U`) and \
            `lstm::Vector<T, N>` (`b`)"
)]
pub trait Tensor {
    /// The element type.
    type Elem: Float;
}

impl<T: Float, const R: usize, const C: usize> Tensor for Matrix<T, R, C> {
    type Elem = T;
}

impl<T: Float, const N: usize> Tensor for Vector<T, N> {
    type Elem = T;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_flat_is_row_major() {
        let m = Matrix::<f64, 2, 3>::try_from_flat(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
        assert_eq!(m[0], [1.0, 2.0, 3.0]);
        assert_eq!(m[1], [4.0, 5.0, 6.0]);
        assert_eq!(
            Matrix::<f64, 2, 3>::try_from_flat(&[0.0; 7]),
            Err(LengthError {
                expected: 6,
                found: 7
            })
        );
    }

    #[test]
    fn mutation_through_deref() {
        let mut v = Vector::<f32, 2>::zeros();
        v[1] = 5.0;
        assert_eq!(v.as_array(), &[0.0, 5.0]);
        let mut m = Matrix::<f32, 2, 2>::zeros();
        m[0][1] = 2.0;
        m.as_flattened_mut()[3] = 4.0;
        assert_eq!(m.as_flattened(), &[0.0, 2.0, 0.0, 4.0]);
        assert_eq!(Matrix::<f32, 2, 5>::COLS, 5);
    }

    #[test]
    fn debug_names_the_shape() {
        let m = Matrix::<f32, 1, 2>::zeros();
        assert_eq!(format!("{m:?}"), "Matrix<1, 2> [[0.0, 0.0]]");
    }
}
